using System.Diagnostics;
using System.Globalization;
using Dapper;
using HeadlessLoan.Api.Features.CloseOfBusiness;
using HeadlessLoan.Api.Features.Loans;
using HeadlessLoan.Domain.Applications;
using HeadlessLoan.Domain.Loans;
using MySqlConnector;

namespace HeadlessLoan.Bench;

/// <summary>
/// Writes the <see cref="Portfolio"/> into the benchmark's database in set-based statements (INSERT … SELECT over
/// MariaDB's seq_1_to_N), a chunk of loans per transaction: products, borrowers with credit lines, applications, loans,
/// their periods, and the ledger they imply, so the reconciliation holds before the close as after it. The ledger is
/// kept short (a payout, one interest accrual and one repayment for the periods paid, one accrual for the interest
/// accrued and not paid, one for the penalty charged so far) rather than an entry per day: it balances the same, and
/// the close reads none of it. Runs as root with
/// key checks off for the load (the rows are consistent by construction).
/// </summary>
internal static class Generator
{
    private const int Chunk = 50_000;
    private const string ProductA = "01970000-0000-7000-8100-000000000001";
    private const string ProductB = "01970000-0000-7000-8100-000000000002";

    public static async Task GenerateAsync(string rootConnection, Portfolio book, CancellationToken ct)
    {
        await using var conn = new MySqlConnection(rootConnection);
        await conn.OpenAsync(ct);
        await conn.ExecuteAsync("SET SESSION unique_checks = 0, foreign_key_checks = 0");
        var p = Parameters(book);
        var clock = Stopwatch.StartNew();
        await HelpersAsync(conn, book, p, ct);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  shapes in {clock.Elapsed.TotalSeconds:F0} s"));
        var spent = new double[ChunkSql.Length];
        for (var lo = 1; lo <= book.Loans; lo += Chunk)
        {
            p.Add("lo", lo);
            p.Add("hi", Math.Min(book.Loans, lo + Chunk - 1));
            await using var tx = await conn.BeginTransactionAsync(ct);
            for (var i = 0; i < ChunkSql.Length; i++)
            {
                var statement = Stopwatch.StartNew();
                await conn.ExecuteAsync(new CommandDefinition(ChunkSql[i], p, tx, commandTimeout: 0, cancellationToken: ct));
                spent[i] += statement.Elapsed.TotalSeconds;
            }

            await tx.CommitAsync(ct);
            var done = Math.Min(book.Loans, lo + Chunk - 1);
            if (done % 200_000 == 0 || done == book.Loans)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  generated {done:N0} loans ({clock.Elapsed.TotalSeconds:F0} s)"));
            }
        }

        Console.WriteLine("  seconds per statement: " + string.Join(", ", spent.Select((t, i) => string.Create(CultureInfo.InvariantCulture, $"#{i} {t:F0}"))));

        // The book as the last night's close left it: every loan summed up on its row for that date, by the close's own statement.
        var summarised = Stopwatch.StartNew();
        for (var lo = 1; lo <= book.Loans; lo += Chunk)
        {
            await conn.ExecuteAsync(new CommandDefinition(LoanSummary.RefreshSql("l.seq BETWEEN @lo AND @hi AND l.cob_date = @day"),
                new { lo, hi = lo + Chunk - 1, day = book.CobDate.AddDays(-1).ToDateTime(TimeOnly.MinValue) }, commandTimeout: 0, cancellationToken: ct));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  summed up on the loans' rows in {summarised.Elapsed.TotalSeconds:F0} s"));
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO cob_runs (cob_date, status, loans_processed, started_at, finished_at) VALUES (@closedThrough, @completed, @loans, @lastNight, @lastNight);
            INSERT INTO business_dates (tenant, business_date, updated_at) VALUES (@tenant, @cob, @lastNight);
            DROP TABLE bench_steps, bench_schedules, bench_paid, bench_loans, bench_accrued;
            ANALYZE TABLE loans, loan_periods, applications, borrowers, credit_lines, journal_entries, journal_lines, loan_balances;
            """, p, commandTimeout: 0, cancellationToken: ct));
    }

    private static DynamicParameters Parameters(Portfolio book)
    {
        var p = new DynamicParameters();
        p.AddDynamicParams(new
        {
            cob = book.CobDate.ToDateTime(TimeOnly.MinValue),
            closedThrough = book.CobDate.AddDays(-1).ToDateTime(TimeOnly.MinValue),
            lastNight = book.CobDate.AddDays(-1).ToDateTime(new TimeOnly(17, 30), DateTimeKind.Utc), // 01:30 in China on the COB date
            loans = book.Loans,
            productA = ProductA, productB = ProductB,
            rateA = Portfolio.PenaltyDailyRates[0], rateB = Portfolio.PenaltyDailyRates[1],
            annualRate = Portfolio.AnnualRate, penaltyCapShare = Portfolio.PenaltyCapShare, ceiling = Portfolio.Ceiling, lpr = Portfolio.OneYearLpr,
            method = RepaymentMethodWire, active = LoanStatus.Active.ToWire(), overdue = LoanStatus.Overdue.ToWire(),
            approved = ApplicationStatus.Approved.ToWire(), approvedStep = ApplicationStatus.Approved.StepOf(),
            completed = CobRunStatus.Completed, tenant = CobRuns.Tenant,
            allocation = "past_due:penalty,past_due:fee,past_due:interest,past_due:principal,due:penalty,due:fee,due:interest,due:principal,in_advance:penalty,in_advance:fee,in_advance:interest,in_advance:principal",
            staff = "01970000-0000-7000-8200-000000000001",
        });
        return p;
    }

    private const string RepaymentMethodWire = "equal_installment";

    /// <summary>The schedules (from the domain's calculator), the products, and one row per loan with its shape, from which every chunk is written.</summary>
    private static async Task HelpersAsync(MySqlConnection conn, Portfolio book, DynamicParameters p, CancellationToken ct)
    {
        await conn.ExecuteAsync("""
            CREATE TABLE bench_steps (step TINYINT NOT NULL PRIMARY KEY, principal BIGINT NOT NULL, apr DECIMAL(9,6) NOT NULL);
            -- principal_from_here: the principal of this period and every later one (not yet due while the period runs).
            CREATE TABLE bench_schedules (step TINYINT NOT NULL, period TINYINT NOT NULL, principal_due BIGINT NOT NULL, interest_due BIGINT NOT NULL,
                                          principal_from_here BIGINT NOT NULL, PRIMARY KEY (step, period));
            -- What is repaid of each schedule before its first unpaid period.
            CREATE TABLE bench_paid (step TINYINT NOT NULL, first_unpaid TINYINT NOT NULL, principal_paid BIGINT NOT NULL, interest_paid BIGINT NOT NULL,
                                     PRIMARY KEY (step, first_unpaid));
            -- Per loan, the interest accrued and not paid and the penalty charged so far.
            CREATE TABLE bench_accrued (n INT NOT NULL PRIMARY KEY, loan_id CHAR(36) CHARACTER SET ascii NOT NULL, interest BIGINT NOT NULL, penalty BIGINT NOT NULL);
            """);
        for (var step = 0; step < Portfolio.PrincipalSteps; step++)
        {
            var schedule = Portfolio.Schedules[step];
            await conn.ExecuteAsync("INSERT INTO bench_steps VALUES (@step, @principal, @apr)",
                new { step, principal = Portfolio.PrincipalOf(step), apr = Math.Round(schedule.Apr, 6) });
            await conn.ExecuteAsync("INSERT INTO bench_schedules VALUES (@step, @Period, @Principal, @Interest, @fromHere)",
                schedule.Periods.Select(s => new { step, s.Period, s.Principal, s.Interest, fromHere = schedule.Periods.Where(q => q.Period >= s.Period).Sum(q => q.Principal) }));
            await conn.ExecuteAsync("INSERT INTO bench_paid VALUES (@step, @firstUnpaid, @principal, @interest)",
                Enumerable.Range(1, Portfolio.Term).Select(f => new
                {
                    step, firstUnpaid = f, principal = schedule.Periods.Take(f - 1).Sum(s => s.Principal), interest = schedule.Periods.Take(f - 1).Sum(s => s.Interest),
                }));
        }

        await conn.ExecuteAsync(new CommandDefinition($"""
            INSERT INTO products (id, current_version, status, created_at, updated_at) VALUES (@productA, 1, 'active', @lastNight, @lastNight), (@productB, 1, 'active', @lastNight, @lastNight);
            INSERT INTO product_versions (product_id, version, name, repayment_methods, annual_rate_min, annual_rate_max, amount_min, amount_max, term_min_months,
                                          term_max_months, penalty_daily_rate, allocation_order, age_min, age_max, auto_approval_limit, created_at, created_by)
            VALUES (@productA, 1, 'Bench consumer loan A', @method, 0.08, @ceiling, 1000000, 5000000, 6, 24, @rateA, @allocation, 18, 60, 2000000, @lastNight, @staff),
                   (@productB, 1, 'Bench consumer loan B', @method, 0.08, @ceiling, 1000000, 5000000, 6, 24, @rateB, @allocation, 18, 60, 2000000, @lastNight, @staff);
            CREATE TABLE bench_loans (
              n INT NOT NULL PRIMARY KEY, loan_id CHAR(36) CHARACTER SET ascii NOT NULL, application_id CHAR(36) CHARACTER SET ascii NOT NULL,
              borrower_id CHAR(36) CHARACTER SET ascii NOT NULL, product_id CHAR(36) CHARACTER SET ascii NOT NULL, step TINYINT NOT NULL,
              principal BIGINT NOT NULL, penalty_rate DECIMAL(9,6) NOT NULL, apr DECIMAL(9,6) NOT NULL, disbursed_on DATE NOT NULL,
              first_unpaid TINYINT NOT NULL, dpd INT NOT NULL, at DATETIME(6) NOT NULL, principal_paid BIGINT NOT NULL, interest_paid BIGINT NOT NULL,
              paid_on DATE NULL);
            -- dpd: days past due on the COB date, from the real due date of the first unpaid period (payout + that many months).
            INSERT INTO bench_loans
            SELECT t.n, {Portfolio.IdSql("8000")}, {Portfolio.IdSql("8001")}, {Portfolio.IdSql("8002")}, IF(t.product = 0, @productA, @productB), t.step,
                   st.principal, IF(t.product = 0, @rateA, @rateB), st.apr, t.disbursed_on, t.first_unpaid,
                   IF({Portfolio.IsOverdueSql}, DATEDIFF(@cob, DATE_ADD(t.disbursed_on, INTERVAL t.first_unpaid MONTH)), 0),
                   TIMESTAMP(t.disbursed_on, '02:00:00'), pd.principal_paid, pd.interest_paid,
                   IF(t.first_unpaid > 1, DATE_ADD(t.disbursed_on, INTERVAL t.first_unpaid - 1 MONTH), NULL)
              FROM (SELECT n, r, {Portfolio.ProductSql} AS product, {Portfolio.PrincipalStepSql} AS step, {Portfolio.FirstUnpaidSql} AS first_unpaid,
                           {Portfolio.DisbursedOnSql} AS disbursed_on
                      FROM (SELECT n, {Portfolio.MixSql} AS r FROM (SELECT seq AS n FROM seq_1_to_{book.Loans}) s) m) t
              JOIN bench_steps st ON st.step = t.step
              JOIN bench_paid pd ON pd.step = t.step AND pd.first_unpaid = t.first_unpaid;
            """, p, commandTimeout: 0, cancellationToken: ct));
    }

    private const string InChunk = "n BETWEEN @lo AND @hi";

    /// <summary>A loan's region (its application's, and so its own): one of eight, by its number.</summary>
    private const string Region = "ELT(1 + n % 8, '110105', '310115', '440106', '440305', '330106', '510107', '420106', '320106')";

    /// <summary>One chunk of loans (n from @lo to @hi), everything each loan has, in one transaction.</summary>
    private static readonly string[] ChunkSql =
    [
        $"INSERT INTO borrowers (id, wechat_openid, created_at, last_login_at) SELECT borrower_id, CONCAT('bench-openid-', n), at - INTERVAL 2 DAY, at FROM bench_loans WHERE {InChunk}",
        $"""
        INSERT INTO applications (id, borrower_id, product_id, product_version, amount, term_months, method, purpose, declared_name_enc, declared_name_hash,
                                  declared_region_code, declared_address_enc, status, current_step, decision, decided_at, submitted_at, created_at, updated_at)
        SELECT application_id, borrower_id, product_id, 1, principal, 12, @method, 'working capital', RANDOM_BYTES(48), UNHEX(SHA2(CONCAT('name-', n), 256)),
               {Region}, RANDOM_BYTES(120), @approved, @approvedStep,
               @approved, at - INTERVAL 1 DAY, at - INTERVAL 2 DAY, at - INTERVAL 2 DAY, at - INTERVAL 1 DAY
          FROM bench_loans WHERE {InChunk}
        """,
        // The state the close of the day before left: days past due one fewer, the class they give.
        $"""
        INSERT INTO loans (id, seq, contract_no, application_id, borrower_id, product_id, product_version, principal, term_months, method, annual_rate,
                           monthly_fee_rate, penalty_daily_rate, penalty_cap, apr, ceiling, one_year_lpr, bureau_score, status, accepted_at, disbursed_on, created_at,
                           updated_at, cob_date, days_past_due, risk_class, region_code)
        SELECT loan_id, n, CONCAT('HL', DATE_FORMAT(disbursed_on, '%Y%m%d'), LPAD(n, 8, '0')), application_id, borrower_id, product_id, 1, principal, 12,
               @method, @annualRate, 0, penalty_rate, FLOOR(principal * @penaltyCapShare), apr, @ceiling, @lpr, 550 + n % 300, IF(dpd > 1, @overdue, @active), at, disbursed_on, at, at,
               @closedThrough, GREATEST(dpd - 1, 0), {Portfolio.ClassOfSql("GREATEST(dpd - 1, 0)")}, {Region}
          FROM bench_loans WHERE {InChunk}
        """,
        // The default rules' line: the first approved amount, halved when a loan went overdue.
        $"""
        INSERT INTO credit_lines (borrower_id, credit_limit, on_time_streak, rules_version, created_at, updated_at)
        SELECT borrower_id, IF(dpd > 1, FLOOR(principal / 2 / 10000) * 10000, principal), 0, 1, at, at FROM bench_loans WHERE {InChunk}
        """,
        // Periods before the first unpaid one repaid; the overdue ones charged the penalty their days earned through the
        // day before the COB date, at the daily rate within the ceiling. Interest accrued as the close of that day leaves
        // it: whole on every period due by then, and on the period running, its days from its start through that day on
        // the principal not yet due, at the annual rate / 360, rounded half up, within its scheduled interest.
        $"""
        INSERT INTO loan_periods (loan_id, period, due_date, principal_due, interest_due, fee_due, penalty_due, interest_accrued, fee_charged,
                                  principal_paid, interest_paid, fee_paid, penalty_paid)
        SELECT loan_id, period, due_date, principal_due, interest_due, 0,
               IF(period >= first_unpaid AND days > 0,
                  LEAST(ROUND(principal_due * penalty_rate * days), ROUND(principal_due * @ceiling * days / 360)), 0),
               IF(due_date <= @closedThrough, interest_due,
                  IF(start <= @closedThrough, LEAST(interest_due, ROUND(principal_from_here * @annualRate * DATEDIFF(@cob, start) / 360)), 0)),
               0, IF(period < first_unpaid, principal_due, 0), IF(period < first_unpaid, interest_due, 0), 0, 0
          FROM (SELECT b.n, b.loan_id, s.period, DATE_ADD(b.disbursed_on, INTERVAL s.period MONTH) AS due_date, s.principal_due, s.interest_due,
                       s.principal_from_here, DATE_ADD(b.disbursed_on, INTERVAL s.period - 1 MONTH) AS start,
                       b.penalty_rate, b.first_unpaid, IF(b.dpd > 1, DATEDIFF(@closedThrough, DATE_ADD(b.disbursed_on, INTERVAL s.period MONTH)), 0) AS days
                  FROM bench_loans b JOIN bench_schedules s ON s.step = b.step WHERE b.{InChunk}) t
         ORDER BY n, period
        """,
        $"""
        INSERT INTO bench_accrued (n, loan_id, interest, penalty)
        SELECT b.n, b.loan_id, CAST(SUM(p.interest_accrued - p.interest_paid) AS SIGNED) AS interest, CAST(SUM(p.penalty_due) AS SIGNED) AS penalty
          FROM bench_loans b STRAIGHT_JOIN loan_periods p FORCE INDEX (PRIMARY) ON p.loan_id = b.loan_id
         WHERE b.{InChunk} GROUP BY b.n HAVING interest > 0 OR penalty > 0
        """,
        // The ledger: each entry's content hash as JournalEntry hashes it (kind|loan|date|lines by account, side, amount).
        $"""
        INSERT INTO journal_entries (id, kind, loan_id, value_date, total, content_hash, created_at)
        SELECT {Portfolio.IdSql("9001")}, 'disbursement', loan_id, disbursed_on, principal,
               UNHEX(SHA2(CONCAT_WS('|', 'disbursement', loan_id, disbursed_on, CONCAT('principal_receivable:D:', principal), CONCAT('payout_clearing:C:', principal)), 256)), at
          FROM bench_loans WHERE {InChunk}
        UNION ALL
        SELECT {Portfolio.IdSql("9002")}, 'accrual', loan_id, paid_on, interest_paid,
               UNHEX(SHA2(CONCAT_WS('|', 'accrual', loan_id, paid_on, CONCAT('interest_receivable:D:', interest_paid), CONCAT('interest_income:C:', interest_paid)), 256)),
               TIMESTAMP(paid_on, '02:00:00')
          FROM bench_loans WHERE {InChunk} AND first_unpaid > 1
        UNION ALL
        SELECT {Portfolio.IdSql("9003")}, 'repayment', loan_id, paid_on, principal_paid + interest_paid,
               UNHEX(SHA2(CONCAT_WS('|', 'repayment', loan_id, paid_on, CONCAT('principal_receivable:C:', principal_paid), CONCAT('interest_receivable:C:', interest_paid),
                                    CONCAT('wechatpay_clearing:D:', principal_paid + interest_paid)), 256)), TIMESTAMP(paid_on, '02:00:00')
          FROM bench_loans WHERE {InChunk} AND first_unpaid > 1
        UNION ALL
        SELECT {Portfolio.IdSql("9004")}, 'accrual', loan_id, @closedThrough, penalty,
               UNHEX(SHA2(CONCAT_WS('|', 'accrual', loan_id, DATE(@closedThrough), CONCAT('penalty_receivable:D:', penalty), CONCAT('penalty_income:C:', penalty)), 256)), @lastNight
          FROM bench_accrued WHERE {InChunk} AND penalty > 0
        UNION ALL
        SELECT {Portfolio.IdSql("9005")}, 'accrual', loan_id, @closedThrough, interest,
               UNHEX(SHA2(CONCAT_WS('|', 'accrual', loan_id, DATE(@closedThrough), CONCAT('interest_receivable:D:', interest), CONCAT('interest_income:C:', interest)), 256)), @lastNight
          FROM bench_accrued WHERE {InChunk} AND interest > 0
        """,
        $"""
        INSERT INTO journal_lines (entry_id, line_no, account, loan_id, debit, credit)
        SELECT {Portfolio.IdSql("9001")}, 1, 'principal_receivable', loan_id, principal, 0 FROM bench_loans WHERE {InChunk}
        UNION ALL SELECT {Portfolio.IdSql("9001")}, 2, 'payout_clearing', loan_id, 0, principal FROM bench_loans WHERE {InChunk}
        UNION ALL SELECT {Portfolio.IdSql("9002")}, 1, 'interest_receivable', loan_id, interest_paid, 0 FROM bench_loans WHERE {InChunk} AND first_unpaid > 1
        UNION ALL SELECT {Portfolio.IdSql("9002")}, 2, 'interest_income', loan_id, 0, interest_paid FROM bench_loans WHERE {InChunk} AND first_unpaid > 1
        UNION ALL SELECT {Portfolio.IdSql("9003")}, 1, 'wechatpay_clearing', loan_id, principal_paid + interest_paid, 0 FROM bench_loans WHERE {InChunk} AND first_unpaid > 1
        UNION ALL SELECT {Portfolio.IdSql("9003")}, 2, 'principal_receivable', loan_id, 0, principal_paid FROM bench_loans WHERE {InChunk} AND first_unpaid > 1
        UNION ALL SELECT {Portfolio.IdSql("9003")}, 3, 'interest_receivable', loan_id, 0, interest_paid FROM bench_loans WHERE {InChunk} AND first_unpaid > 1
        UNION ALL SELECT {Portfolio.IdSql("9004")}, 1, 'penalty_receivable', loan_id, penalty, 0 FROM bench_accrued WHERE {InChunk} AND penalty > 0
        UNION ALL SELECT {Portfolio.IdSql("9004")}, 2, 'penalty_income', loan_id, 0, penalty FROM bench_accrued WHERE {InChunk} AND penalty > 0
        UNION ALL SELECT {Portfolio.IdSql("9005")}, 1, 'interest_receivable', loan_id, interest, 0 FROM bench_accrued WHERE {InChunk} AND interest > 0
        UNION ALL SELECT {Portfolio.IdSql("9005")}, 2, 'interest_income', loan_id, 0, interest FROM bench_accrued WHERE {InChunk} AND interest > 0
        """,
        // Each balance in its account's own sense, as those entries leave it.
        $"""
        INSERT INTO loan_balances (loan_id, account, balance)
        SELECT loan_id, 'principal_receivable', principal - principal_paid FROM bench_loans WHERE {InChunk}
        UNION ALL SELECT loan_id, 'payout_clearing', -principal FROM bench_loans WHERE {InChunk}
        UNION ALL SELECT b.loan_id, 'interest_receivable', COALESCE(a.interest, 0) FROM bench_loans b LEFT JOIN bench_accrued a ON a.n = b.n
                   WHERE b.{InChunk} AND (b.first_unpaid > 1 OR a.interest > 0)
        UNION ALL SELECT b.loan_id, 'interest_income', b.interest_paid + COALESCE(a.interest, 0) FROM bench_loans b LEFT JOIN bench_accrued a ON a.n = b.n
                   WHERE b.{InChunk} AND (b.first_unpaid > 1 OR a.interest > 0)
        UNION ALL SELECT loan_id, 'wechatpay_clearing', principal_paid + interest_paid FROM bench_loans WHERE {InChunk} AND first_unpaid > 1
        UNION ALL SELECT loan_id, 'penalty_receivable', penalty FROM bench_accrued WHERE {InChunk} AND penalty > 0
        UNION ALL SELECT loan_id, 'penalty_income', penalty FROM bench_accrued WHERE {InChunk} AND penalty > 0
        """,
    ];
}
