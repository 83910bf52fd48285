using Dapper;
using HeadlessLoan.Api.Platform;
using HeadlessLoan.Api.Platform.Auth;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Platform.Paging;
using HeadlessLoan.Domain.Ledger;
using HeadlessLoan.Domain.Loans;
using HeadlessLoan.Domain.Pricing;
using MySqlConnector;

namespace HeadlessLoan.Api.Features.Loans;

/// <summary>What acceptance reads of an application: its approved terms, who it belongs to, its declared region (the loan's), and its loan if it has one.</summary>
public sealed record ApprovedApplication(
    Guid Id, string Status, Guid? BorrowerId, Guid? ChannelId, Guid ProductId, int ProductVersion, long Amount, int TermMonths,
    string Method, int? BureauScore, DateTime? DecidedAt, string DeclaredRegionCode, Guid? LoanId);

/// <summary>Whose loans a caller sees: a borrower their own, a channel its customers', staff every loan (null = no restriction).</summary>
[FeatureApi]
public sealed record LoanScope(Guid? BorrowerId, Guid? ChannelId)
{
    public static LoanScope Of(CurrentCaller caller) => caller.Kind switch
    {
        Caller.Staff => new LoanScope(null, null),
        Caller.Borrower => new LoanScope(caller.Id, null),
        _ => new LoanScope(null, caller.Id),
    };

    public bool MaySee(Guid? borrowerId, Guid? channelId) =>
        (BorrowerId is null || borrowerId == BorrowerId) && (ChannelId is null || channelId == ChannelId);
}

/// <summary>A loan row with its balances and schedule totals, read in one statement.</summary>
public sealed record LoanRow(
    Guid Id, string? ContractNo, Guid ApplicationId, Guid? BorrowerId, Guid? ChannelId, Guid ProductId, int ProductVersion,
    long Principal, int TermMonths, string Method, decimal AnnualRate, decimal MonthlyFeeRate, decimal PenaltyDailyRate, long PenaltyCap,
    decimal Apr, decimal Ceiling, decimal OneYearLpr, DateTime? LprDate, string Status, DateTime AcceptedAt, DateTime? DisbursedOn,
    DateTime CreatedAt, DateTime UpdatedAt, int DaysPastDue, string RiskClass, DateTime? CobDate,
    DateTime MaturityDate, long UnpaidPrincipal, long UnpaidInterest, long UnpaidPenalty, long UnpaidFee, long OverdueAmount,
    int? NextDuePeriod, DateTime? NextDueDate, long? NextDueAmount,
    long PrincipalReceivable, long InterestReceivable, long PenaltyReceivable, long FeeReceivable, long Credit,
    DateTime? WrittenOffOn, long PrincipalWrittenOff, long InterestWrittenOff, long PenaltyWrittenOff, long FeeWrittenOff, long Recovered)
{
    /// <summary>What a write-off took, per component (all zero for a loan not written off).</summary>
    public LoanComponents WrittenOff => new(PrincipalWrittenOff, InterestWrittenOff, PenaltyWrittenOff, FeeWrittenOff);

    /// <summary>What was written off and not yet recovered (0 for a loan not written off).</summary>
    public long StillOwedAfterWriteOff => WrittenOff.Total - Recovered;
}

/// <summary>A stored period, as the schedule endpoint and the servicing code read it.</summary>
public sealed record LoanPeriodRow(
    int Period, DateTime DueDate, long PrincipalDue, long InterestDue, long FeeDue, long PenaltyDue,
    long InterestAccrued, long FeeCharged, long PrincipalPaid, long InterestPaid, long FeePaid, long PenaltyPaid)
{
    public LoanPeriod ToDomain() => new(
        Period, DateOnly.FromDateTime(DueDate), new LoanComponents(PrincipalDue, InterestDue, PenaltyDue, FeeDue),
        new LoanComponents(PrincipalPaid, InterestPaid, PenaltyPaid, FeePaid));
}

/// <summary>Whom a loan belongs to: its borrower, or the channel whose customer it is.</summary>
public sealed record LoanOwners(Guid? BorrowerId, Guid? ChannelId);

/// <summary>One of a loan's journal entries with its lines, as the transactions page reads them.</summary>
public sealed record LoanEntry(Guid Id, string Kind, DateTime ValueDate, DateTime CreatedAt, long Total, IReadOnlyList<JournalLine> Lines);

/// <summary>
/// A row of the transactions statement: the loan's owners, then one of its entries' lines (entry columns null when the
/// page is empty).
/// </summary>
public sealed record LoanEntryLineRow(
    Guid? BorrowerId, Guid? ChannelId, Guid? EntryId, string? Kind, DateTime? ValueDate, DateTime? CreatedAt, long? Total,
    string? Account, long? Debit, long? Credit, Guid? LineLoanId);

/// <summary>A new loan as acceptance records it.</summary>
public sealed record NewLoan(
    Guid Id, ApprovedApplication Application, LoanOffer Offer, decimal PenaltyDailyRate, long PenaltyCap, decimal Ceiling, decimal OneYearLpr,
    DateOnly? LprDate, int? PricingMinScore, DateOnly AcceptedOn, DateTime Now);

/// <summary>SQL for loans and their schedules. Every writer of a loan locks its row first, so one loan's changes are serial.</summary>
public sealed class LoanStore(MySqlDataSource db, TimeProvider clock)
{
    /// <summary>The business day amounts are owed on: China's date.</summary>
    private DateTime Today => ChinaTime.Today(clock).ToDateTime(TimeOnly.MinValue);

    /// <summary>The application in the caller's change, its row locked so that two acceptances of it run one after the other.</summary>
    public static async Task<ApprovedApplication?> LockApplicationAsync(DbChange change, Guid id, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(change);
        // The lock first, alone: a locking read over the join would lock the product version row too, and every
        // acceptance of the product would queue behind it.
        if (await change.ScalarAsync<string?>("SELECT status FROM applications WHERE id = @id FOR UPDATE", new { id }, ct) is null)
        {
            return null;
        }

        return await change.QuerySingleOrDefaultAsync<ApprovedApplication>(SelectApplication, new { id }, ct);
    }

    public async Task<ApprovedApplication?> GetApplicationAsync(Guid id, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<ApprovedApplication>(new CommandDefinition(SelectApplication, new { id }, cancellationToken: ct));
    }

    /// <summary>Writes the loan and its schedule in <paramref name="change"/>; returns its contract number.</summary>
    public static async Task<string> InsertAsync(DbChange change, NewLoan loan, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(loan);
        var a = loan.Application;
        var terms = loan.Offer.Terms;
        var seq = await change.ScalarAsync<long>(InsertLoanSql + "; SELECT LAST_INSERT_ID()", new
        {
            id = loan.Id, applicationId = a.Id, a.BorrowerId, a.ChannelId, a.ProductId, a.ProductVersion,
            principal = terms.Principal, termMonths = terms.TermMonths, method = a.Method, annualRate = terms.AnnualRate,
            monthlyFeeRate = terms.MonthlyFeeRate, penaltyDailyRate = loan.PenaltyDailyRate, penaltyCap = loan.PenaltyCap, apr = loan.Offer.Apr, ceiling = loan.Ceiling,
            lpr = loan.OneYearLpr, lprDate = loan.LprDate?.ToDateTime(TimeOnly.MinValue), bureauScore = a.BureauScore,
            pricingMinScore = loan.PricingMinScore, status = LoanStatusNames.PendingDisbursement, now = loan.Now, regionCode = a.DeclaredRegionCode,
        }, ct);
        var contractNo = ContractNumber(loan.AcceptedOn, seq);
        change.Write("UPDATE loans SET contract_no = @contractNo WHERE id = @id", new { contractNo, id = loan.Id });
        PayoutStore.HoldFirstPayout(change, loan.Id, contractNo, terms.Principal, loan.Now);
        foreach (var p in loan.Offer.Periods)
        {
            change.Write(InsertPeriodSql, new
            {
                loanId = loan.Id, period = p.Period, dueDate = p.DueDate.ToDateTime(TimeOnly.MinValue),
                principal = p.Due.Principal, interest = p.Due.Interest, fee = p.Due.Fee,
            });
        }

        return contractNo;
    }

    /// <summary>HL, the acceptance date (China) and the loan's sequence number: unique, sortable, readable on the phone.</summary>
    public static string ContractNumber(DateOnly acceptedOn, long seq) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"HL{acceptedOn:yyyyMMdd}{seq:D8}");

    /// <summary>The loan with its totals, if the caller may see it: one statement.</summary>
    public async Task<LoanRow?> GetAsync(Guid id, LoanScope scope, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<LoanRow>(new CommandDefinition(SelectLoanById, new { id, today = Today }, cancellationToken: ct));
        return row is not null && scope.MaySee(row.BorrowerId, row.ChannelId) ? row : null;
    }

    /// <summary>The loan and its periods, if the caller may see it: two statements in one round trip.</summary>
    public async Task<(LoanRow Loan, IReadOnlyList<LoanPeriodRow> Periods)?> GetWithScheduleAsync(Guid id, LoanScope scope, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var results = await conn.QueryMultipleAsync(new CommandDefinition(
            SelectLoanById + "; " + SelectPeriodsSql, new { id, today = Today }, cancellationToken: ct));
        var row = await results.ReadSingleOrDefaultAsync<LoanRow>();
        var periods = (await results.ReadAsync<LoanPeriodRow>()).AsList();
        return row is not null && scope.MaySee(row.BorrowerId, row.ChannelId) ? (row, periods) : null;
    }

    /// <summary>
    /// The loan's periods, if the caller may see it: who owns the loan, then its periods, two statements in one round
    /// trip. Nothing is summed (the schedule shows each period), so this reads less than <see cref="GetWithScheduleAsync"/>.
    /// </summary>
    public async Task<IReadOnlyList<LoanPeriodRow>?> GetScheduleAsync(Guid id, LoanScope scope, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var results = await conn.QueryMultipleAsync(new CommandDefinition(
            "SELECT borrower_id, channel_id FROM loans WHERE id = @id; " + SelectPeriodsSql, new { id }, cancellationToken: ct));
        var owners = await results.ReadSingleOrDefaultAsync<LoanOwners>();
        var periods = (await results.ReadAsync<LoanPeriodRow>()).AsList();
        return owners is not null && scope.MaySee(owners.BorrowerId, owners.ChannelId) ? periods : null;
    }

    /// <summary>
    /// A page of the loan's journal entries with their lines, newest first, if the caller may see the loan: one
    /// statement (the loan's owners, the page of entries and their lines).
    /// </summary>
    public async Task<IReadOnlyList<LoanEntry>?> ListEntriesAsync(Guid id, LoanScope scope, ListPosition? after, int take, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = (await conn.QueryAsync<LoanEntryLineRow>(new CommandDefinition(
            SelectEntries(after is not null), new { id, afterTime = after?.CreatedAt, afterId = after?.Id, take }, cancellationToken: ct))).AsList();
        if (rows.Count == 0 || !scope.MaySee(rows[0].BorrowerId, rows[0].ChannelId))
        {
            return null;
        }

        // The rows come in the page's order, an entry's lines together.
        var entries = new List<LoanEntry>();
        foreach (var entry in rows.Where(r => r.EntryId is not null).GroupBy(r => r.EntryId!.Value))
        {
            var first = entry.First();
            var lines = entry.Select(l => new JournalLine(
                ChartOfAccounts.Parse(l.Account!), l.Debit > 0 ? EntrySide.Debit : EntrySide.Credit, l.Debit > 0 ? l.Debit!.Value : l.Credit!.Value, Pooled: l.LineLoanId is null)).ToList();
            entries.Add(new LoanEntry(entry.Key, first.Kind!, first.ValueDate!.Value, first.CreatedAt!.Value, first.Total!.Value, lines));
        }

        return entries;
    }

    /// <summary>A page of the loans the caller sees, newest first: the page's ids, then their rows (two statements).</summary>
    public async Task<IReadOnlyList<LoanRow>> ListAsync(LoanScope scope, string? status, ListPosition? after, int take, CancellationToken ct)
    {
        var where = new SqlWhere()
            .And(scope.BorrowerId is not null, "borrower_id = @borrower")
            .And(scope.ChannelId is not null, "channel_id = @channel")
            .And(status is not null, "status = @status")
            .And(after is not null, "(created_at, id) < (@afterTime, @afterId)");
        await using var conn = await db.OpenConnectionAsync(ct);
        var ids = (await conn.QueryAsync<Guid>(new CommandDefinition(
            "SELECT id FROM loans" + where + " ORDER BY created_at DESC, id DESC LIMIT @take",
            new { borrower = scope.BorrowerId, channel = scope.ChannelId, status, afterTime = after?.CreatedAt, afterId = after?.Id, take },
            cancellationToken: ct))).AsList();
        if (ids.Count == 0)
        {
            return [];
        }

        var rows = await conn.QueryAsync<LoanRow>(new CommandDefinition(SelectLoansByIds, new { ids, today = Today }, cancellationToken: ct));
        // In the page's order: the ids compare as the database compares their text.
        return rows.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id.ToString(), StringComparer.Ordinal).ToList();
    }

    private const string SelectApplication = """
        SELECT a.id, a.status, a.borrower_id, a.channel_id, a.product_id, a.product_version, a.amount, a.term_months, a.method,
               a.bureau_score, a.decided_at, a.declared_region_code, l.id AS loan_id
          FROM applications a LEFT JOIN loans l ON l.application_id = a.id
         WHERE a.id = @id
        """;

    private const string InsertLoanSql = """
        INSERT INTO loans (id, application_id, borrower_id, channel_id, product_id, product_version, principal, term_months, method,
                           annual_rate, monthly_fee_rate, penalty_daily_rate, penalty_cap, apr, ceiling, one_year_lpr, lpr_date, bureau_score,
                           pricing_min_score, status, accepted_at, created_at, updated_at, region_code)
        VALUES (@id, @applicationId, @BorrowerId, @ChannelId, @ProductId, @ProductVersion, @principal, @termMonths, @method,
                @annualRate, @monthlyFeeRate, @penaltyDailyRate, @penaltyCap, @apr, @ceiling, @lpr, @lprDate, @bureauScore,
                @pricingMinScore, @status, @now, @now, @now, @regionCode)
        """;

    private const string InsertPeriodSql = """
        INSERT INTO loan_periods (loan_id, period, due_date, principal_due, interest_due, fee_due)
        VALUES (@loanId, @period, @dueDate, @principal, @interest, @fee)
        """;

    // An open loan's receivable of a component the close accrues is its own balance and its part of the accrual pool
    // not yet attributed to it (LoanAccrualPool): together, what its periods have recognised and not been paid (with
    // the interest the close has not yet written onto its running period, LoanSummary).
    private static readonly string OpenStatuses = string.Join(", ",
        LoanLifecycle.OpenStatuses.Select(st => $"'{st.ToWire()}'"));

    private static string WithPooled(string component) =>
        $"IF(l.status IN ({OpenStatuses}), GREATEST(COALESCE(b.{component}_receivable, 0), s.recognised_{component}{(component == "interest" ? " + l.pending_interest" : "")}), COALESCE(b.{component}_receivable, 0))";

    // The schedule's totals and the ledger's balances come with the row, from derived tables restricted to the
    // loans asked for (the filter goes inside them, so neither scans more than those loans' own rows): a loan reads in
    // one statement however long its schedule and its history are.
    private static string SelectLoans(string loanFilter) => $"""
        SELECT l.id, l.contract_no, l.application_id, l.borrower_id, l.channel_id, l.product_id, l.product_version,
               l.principal, l.term_months, l.method, l.annual_rate, l.monthly_fee_rate, l.penalty_daily_rate, l.penalty_cap,
               l.apr, l.ceiling, l.one_year_lpr, l.lpr_date, l.status, l.accepted_at, l.disbursed_on, l.created_at, l.updated_at,
               l.days_past_due, l.risk_class, l.cob_date,
               s.maturity_date, s.unpaid_principal, s.unpaid_interest, s.unpaid_penalty, s.unpaid_fee, s.overdue_amount,
               n.period AS next_due_period, n.due_date AS next_due_date,
               n.principal_due + n.interest_due + n.fee_due + n.penalty_due - n.principal_paid - n.interest_paid - n.fee_paid - n.penalty_paid AS next_due_amount,
               COALESCE(b.principal_receivable, 0) AS principal_receivable,
               {WithPooled("interest")} AS interest_receivable, {WithPooled("penalty")} AS penalty_receivable, {WithPooled("fee")} AS fee_receivable,
               COALESCE(b.credit, 0) AS credit,
               l.written_off_on, l.principal_written_off, l.interest_written_off, l.penalty_written_off, l.fee_written_off, l.recovered
          FROM loans l
          JOIN (SELECT loan_id, MAX(due_date) AS maturity_date,
                       CAST(SUM(principal_due - principal_paid) AS SIGNED) AS unpaid_principal,
                       CAST(SUM(interest_due - interest_paid) AS SIGNED) AS unpaid_interest,
                       CAST(SUM(penalty_due - penalty_paid) AS SIGNED) AS unpaid_penalty,
                       CAST(SUM(fee_due - fee_paid) AS SIGNED) AS unpaid_fee,
                       CAST(SUM(interest_accrued - interest_paid) AS SIGNED) AS recognised_interest,
                       CAST(SUM(penalty_due - penalty_paid) AS SIGNED) AS recognised_penalty,
                       CAST(SUM(fee_charged - fee_paid) AS SIGNED) AS recognised_fee,
                       CAST(SUM(IF(due_date < @today, {Outstanding}, 0)) AS SIGNED) AS overdue_amount,
                       MIN(IF({Outstanding} > 0, period, NULL)) AS next_due_period
                  FROM loan_periods WHERE loan_id {loanFilter} GROUP BY loan_id) s ON s.loan_id = l.id
          LEFT JOIN loan_periods n ON n.loan_id = l.id AND n.period = s.next_due_period
          LEFT JOIN (SELECT loan_id,
                       CAST(SUM(IF(account = '{LedgerAccount.PrincipalReceivable.ToWire()}', balance, 0)) AS SIGNED) AS principal_receivable,
                       CAST(SUM(IF(account = '{LedgerAccount.InterestReceivable.ToWire()}', balance, 0)) AS SIGNED) AS interest_receivable,
                       CAST(SUM(IF(account = '{LedgerAccount.PenaltyReceivable.ToWire()}', balance, 0)) AS SIGNED) AS penalty_receivable,
                       CAST(SUM(IF(account = '{LedgerAccount.FeeReceivable.ToWire()}', balance, 0)) AS SIGNED) AS fee_receivable,
                       CAST(SUM(IF(account = '{LedgerAccount.BorrowerSuspense.ToWire()}', balance, 0)) AS SIGNED) AS credit
                  FROM loan_balances WHERE loan_id {loanFilter} GROUP BY loan_id) b ON b.loan_id = l.id
         WHERE l.id {loanFilter}
        """;

    // The loan row is read for its owners (a loan the caller may not see is not found, whether or not it has entries);
    // the page of entries is a derived table on (loan_id, created_at, id), so only the page's entries and their lines
    // are read, however long the loan's history. Newest first by posting time, the id breaking ties, as list cursors do.
    private static string SelectEntries(bool after) => $"""
        SELECT l.borrower_id, l.channel_id, e.id AS entry_id, e.kind, e.value_date, e.created_at, e.total, j.account, j.debit, j.credit, j.loan_id AS line_loan_id
          FROM loans l
          LEFT JOIN (SELECT id, kind, value_date, created_at, total FROM journal_entries
                      WHERE loan_id = @id{(after ? " AND (created_at, id) < (@afterTime, @afterId)" : "")}
                      ORDER BY created_at DESC, id DESC LIMIT @take) e ON 1 = 1
          LEFT JOIN journal_lines j ON j.entry_id = e.id
         WHERE l.id = @id
         ORDER BY e.created_at DESC, e.id DESC, j.line_no
        """;

    private const string Outstanding =
        "principal_due + interest_due + fee_due + penalty_due - principal_paid - interest_paid - fee_paid - penalty_paid";

    private static readonly string SelectLoanById = SelectLoans("= @id");
    private static readonly string SelectLoansByIds = SelectLoans("IN @ids");

    /// <summary>A loan's periods in order (parameter <c>@id</c>).</summary>
    internal static readonly string SelectPeriodsSql = $"""
        SELECT p.period, p.due_date, p.principal_due, p.interest_due, p.fee_due, p.penalty_due, {LoanSummary.InterestAccruedSql("p", "l")} AS interest_accrued,
               p.fee_charged, p.principal_paid, p.interest_paid, p.fee_paid, p.penalty_paid
          FROM loan_periods p JOIN loans l ON l.id = p.loan_id WHERE p.loan_id = @id ORDER BY p.period
        """;
}
