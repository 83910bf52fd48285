using System.Globalization;
using Dapper;
using HeadlessLoan.Api.Features.Loans;
using HeadlessLoan.Api.Platform.Audit;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Tests.Loans;
using HeadlessLoan.Domain.Ledger;
using HeadlessLoan.Domain.Loans;
using HeadlessLoan.Domain.Overdue;
using Microsoft.Extensions.DependencyInjection;
using MySqlConnector;

namespace HeadlessLoan.Api.Tests.CloseOfBusiness;

/// <summary>
/// The close of business works a batch out in SQL; the pure rules are its specification. Random books — schedules
/// half paid, penalties near their caps, periods falling due on the COB date and the day before, loans closed for the
/// first time or left behind for days, rates to the sixth decimal, manual classes standing over the table's — are written straight into the tables, every
/// loan's close is worked out by the rules (<see cref="CobStep"/>, <see cref="DailyAccrual"/>) from the rows as they
/// stand, then the service closes the date, and every period's penalty, interest and fees and every loan's status,
/// days past due and class must be what the rules said, to the fen, each loan's snapshot what its rows hold, and the
/// night's pooled accrual their sum; then again on the two nights after, when the quiet loans are closed from their rows.
/// </summary>
public sealed class CobRulesInSqlTests(LoansFactory api) : IClassFixture<LoansFactory>
{
    private static readonly DateOnly CobDate = new(2031, 6, 15);
    private static readonly string[] Classes = [.. RiskClassNames.All];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task TheSqlCloseDoesWhatTheRulesSayOnRandomBooks(int seed)
    {
        var cobDate = CobDate.AddDays(seed * 40);
        var product = await LoanFlow.PricedProductAsync(api);
        var (_, template) = await LoanFlow.ActiveAsync(api, product, amount: 500_000);
        await using var db = await api.OpenDatabaseAsync();
        await SeedAsync(db, template.GetProperty("id").GetGuid(), new Random(seed), cobDate, loans: 150);

        // Three nights: the first closes every loan the long way (none has a summary yet), the later ones close the
        // quiet loans from their rows and the rest the long way again.
        var table = ClassificationTable.Default;
        for (var night = 0; night < 3; night++)
        {
            await CloseAndCheckAsync(db, cobDate.AddDays(night), table);
        }

        Assert.True(await db.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM loans WHERE pending_interest > 0") > 0, "some loans were closed quietly");
    }

    /// <summary>Closes <paramref name="cobDate"/> in batches and holds every loan, period, snapshot and the pooled accrual to what the rules said.</summary>
    private async Task CloseAndCheckAsync(MySqlConnection db, DateOnly cobDate, ClassificationTable table)
    {
        var before = await ReadBookAsync(db, cobDate);
        var expected = before.Select(l => Expect(l, cobDate, table)).ToList();

        var close = api.Services.GetRequiredService<LoanDayEnd>();
        Guid? after = null;
        while (true)
        {
            await using var change = await DbChange.BeginAsync(api.Services.GetRequiredService<MySqlDataSource>(), api.Services.GetRequiredService<AuditTrail>(), default);
            var batch = await close.CloseBatchAsync(change, cobDate, after, null, 40, table, DateTime.UtcNow, default);
            await change.CommitAsync(default);
            if (batch.Processed == 0)
            {
                break;
            }

            after = batch.Last;
        }

        var closed = (await ReadBookAsync(db, cobDate, closedOn: cobDate)).ToDictionary(l => l.Loan.Id);
        var snapshots = (await db.QueryAsync<SnapshotRow>("""
            SELECT loan_id, status, days_past_due, risk_class, principal_outstanding, interest_outstanding, fee_outstanding, penalty_outstanding
              FROM loan_day_snapshots WHERE cob_date = @day
            """, new { day = cobDate.ToDateTime(TimeOnly.MinValue) })).ToDictionary(r => r.LoanId);
        var faults = new List<string>();
        foreach (var (loan, want) in before.Zip(expected))
        {
            if (!closed.TryGetValue(loan.Loan.Id, out var got))
            {
                faults.Add($"{loan.Loan.Id}: not closed");
                continue;
            }

            var gotLoan = (got.Loan.Status, got.Loan.DaysPastDue, got.Loan.RiskClass);
            if (gotLoan != want.Loan)
            {
                faults.Add($"{loan.Loan.Id}: {gotLoan} where the rules say {want.Loan}");
            }

            foreach (var p in got.Periods)
            {
                var w = want.Periods[p.Period];
                if ((p.PenaltyDue, p.InterestAccrued, p.FeeCharged) != w)
                {
                    faults.Add($"{loan.Loan.Id} period {p.Period}: (penalty, interest, fee) {(p.PenaltyDue, p.InterestAccrued, p.FeeCharged)} where the rules say {w}");
                }
            }

            var snapshot = new SnapshotRow(got.Loan.Id, got.Loan.Status, got.Loan.DaysPastDue, got.Loan.RiskClass, got.Periods.Sum(p => p.PrincipalDue - p.PrincipalPaid),
                got.Periods.Sum(p => p.InterestAccrued - p.InterestPaid), got.Periods.Sum(p => p.FeeCharged - p.FeePaid), got.Periods.Sum(p => p.PenaltyDue - p.PenaltyPaid));
            if (snapshots.GetValueOrDefault(got.Loan.Id) != snapshot)
            {
                faults.Add($"{loan.Loan.Id}: snapshot {snapshots.GetValueOrDefault(got.Loan.Id)} where its rows say {snapshot}");
            }
        }

        Assert.Empty(faults);
        Assert.True(expected.Sum(e => e.Earned) > 0, "the books earned something tonight");
        var pooled = await db.ExecuteScalarAsync<long>(
            "SELECT CAST(COALESCE(SUM(total), 0) AS SIGNED) FROM journal_entries WHERE kind = 'accrual' AND loan_id IS NULL AND value_date = @day",
            new { day = cobDate.ToDateTime(TimeOnly.MinValue) });
        Assert.Equal(expected.Sum(e => e.Earned), pooled);
    }

    private sealed record SnapshotRow(
        Guid LoanId, string Status, int DaysPastDue, string RiskClass, long PrincipalOutstanding, long InterestOutstanding, long FeeOutstanding, long PenaltyOutstanding);

    /// <summary>What the rules say the close of <paramref name="cobDate"/> leaves a loan: its status, days past due and class, and per period its penalty, interest and fees recognised.</summary>
    private static Expected Expect(BookLoan book, DateOnly cobDate, ClassificationTable table)
    {
        var l = book.Loan;
        var day = cobDate.ToDateTime(TimeOnly.MinValue);
        var rows = book.Periods.OrderBy(p => p.DueDate).ThenBy(p => p.Period).ToList();
        var pastDue = rows.Where(p => p.DueDate < day && p.Unsettled).ToList();
        var status = LoanStatusNames.Parse(l.Status);
        var facts = new LoanCobFacts(
            status, DateOnly.FromDateTime(l.DisbursedOn), pastDue.Select(p => p.ToDomain()).ToList(), new PenaltyTerms(l.PenaltyDailyRate, l.Ceiling, l.PenaltyCap),
            l.CobDate is { } d ? DateOnly.FromDateTime(d) : null, RiskClassNames.Parse(l.RiskClass),
            l.OverrideClass is { } manual ? new ClassOverride(RiskClassNames.Parse(manual), l.OverrideRequestedBy!.Value, l.OverrideDecidedBy!.Value, l.OverrideReason!) : null,
            pastDue.Count > 0 ? rows.Sum(p => p.PenaltyDue) : 0);
        var step = CobStep.Assess(facts, cobDate, table);
        var running = rows.FindIndex(r => r.DueDate > day);
        var periods = new Dictionary<int, (long, long, long)>();
        long earned = step.PenaltyToAccrue;
        for (var i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            PeriodAccrual? accrual = null;
            if (i == running || r.DueDate <= day)
            {
                var fromHere = rows.Where(o => o.DueDate >= r.DueDate).Sum(o => o.PrincipalDue - o.PrincipalPaid);
                var start = DateOnly.FromDateTime(i > 0 ? rows[i - 1].DueDate : l.DisbursedOn);
                accrual = DailyAccrual.Through(
                    new AccrualPeriod(r.Period, start, DateOnly.FromDateTime(r.DueDate), fromHere, r.InterestDue, r.InterestAccrued, r.FeeDue, r.FeeCharged),
                    l.AnnualRate, cobDate);
            }

            var penalty = step.Penalties.Where(p => p.Period == r.Period).Sum(p => p.Amount);
            earned += (accrual?.Interest ?? 0) + (accrual?.Fee ?? 0);
            periods[r.Period] = (r.PenaltyDue + penalty, r.InterestAccrued + (accrual?.Interest ?? 0), r.FeeCharged + (accrual?.Fee ?? 0));
        }

        var after = step.Event is { } happened ? LoanLifecycle.Next(status, happened).Next : status;
        return new Expected((after.ToWire(), step.DaysPastDue, step.ClassAfter.ToWire()), periods, earned);
    }

    private sealed record Expected((string Status, int DaysPastDue, string RiskClass) Loan, Dictionary<int, (long, long, long)> Periods, long Earned);

    /// <summary>
    /// <paramref name="loans"/> loans made like <paramref name="templateId"/> (each with an application of its own),
    /// with random terms, standing and schedules around <paramref name="cobDate"/>, inside what the tables allow.
    /// </summary>
    private static async Task SeedAsync(MySqlConnection db, Guid templateId, Random random, DateOnly cobDate, int loans)
    {
        var applicationColumns = await ColumnsAsync(db, "applications", "id");
        var loanColumns = await ColumnsAsync(db, "loans", "id", "seq", "contract_no", "application_id", "annual_rate", "penalty_daily_rate", "ceiling",
            "penalty_cap", "status", "disbursed_on", "cob_date", "days_past_due", "risk_class", "summary_of", "pending_interest");
        var applicationId = await db.ExecuteScalarAsync<Guid>("SELECT application_id FROM loans WHERE id = @templateId", new { templateId });
        for (var n = 0; n < loans; n++)
        {
            var (loanId, application) = (Guid.NewGuid(), Guid.NewGuid());
            var disbursedOn = cobDate.AddDays(-random.Next(1, 400));
            var closedThrough = random.Next(10) switch
            {
                < 7 => cobDate.AddDays(-1),
                < 9 => Max(cobDate.AddDays(-random.Next(2, 12)), disbursedOn.AddDays(-1)),
                _ => (DateOnly?)null,
            };
            await db.ExecuteAsync($"""
                INSERT INTO applications (id, {applicationColumns}) SELECT @application, {applicationColumns} FROM applications WHERE id = @applicationId;
                INSERT INTO loans (id, application_id, annual_rate, penalty_daily_rate, ceiling, penalty_cap, status, disbursed_on, cob_date, days_past_due, risk_class, {loanColumns})
                SELECT @loanId, @application, @rate, @penaltyRate, @ceiling, @cap, @status, @disbursedOn, @closedThrough, @dpd, @risk, {loanColumns}
                  FROM loans WHERE id = @templateId
                """, new
            {
                application, applicationId, loanId, templateId, rate = Rate(random, 0.03m, 0.24m), penaltyRate = Rate(random, 0m, 0.002m),
                ceiling = Rate(random, 0.05m, 0.36m), cap = random.Next(2) == 0 ? 1_000_000L : random.Next(0, 6_000),
                status = random.Next(2) == 0 ? "active" : "overdue", disbursedOn = disbursedOn.ToDateTime(TimeOnly.MinValue),
                closedThrough = closedThrough?.ToDateTime(TimeOnly.MinValue), dpd = random.Next(0, 400), risk = Classes[random.Next(Classes.Length)],
            });
            if (random.Next(8) == 0)
            {
                // A manual class approved by a second person stands over the table's.
                await db.ExecuteAsync("""
                    INSERT INTO risk_class_overrides (id, loan_id, risk_class, reason, status, requested_by, requested_at, decided_by, decided_at, standing_loan)
                    VALUES (@id, @loanId, @risk, 'restructured', 'standing', @requester, NOW(6), @approver, NOW(6), @loanId)
                    """, new { id = Guid.NewGuid(), loanId, risk = Classes[random.Next(Classes.Length)], requester = Guid.NewGuid(), approver = Guid.NewGuid() });
            }

            var due = disbursedOn;
            var periods = random.Next(1, 9);
            for (var period = 1; period <= periods; period++)
            {
                // Now and then a due date on the COB date or the day before: the moments a period is recognised whole or falls overdue.
                due = random.Next(8) == 0 && due < cobDate.AddDays(-1) ? cobDate.AddDays(-random.Next(0, 2)) : due.AddDays(random.Next(5, 45));
                await db.ExecuteAsync("""
                    INSERT INTO loan_periods (loan_id, period, due_date, principal_due, interest_due, fee_due, penalty_due, interest_accrued, fee_charged,
                                              principal_paid, interest_paid, fee_paid, penalty_paid)
                    VALUES (@loanId, @period, @due, @principalDue, @interestDue, @feeDue, @penaltyDue, @interestAccrued, @feeCharged,
                            @principalPaid, @interestPaid, @feePaid, @penaltyPaid)
                    """, Period(random, loanId, period, due, due < cobDate));
            }
        }
    }

    /// <summary>A period's row: amounts due, recognised and paid, each within the table's check (paid ≤ recognised ≤ due).</summary>
    private static object Period(Random random, Guid loanId, int period, DateOnly due, bool pastDue)
    {
        var principalDue = random.Next(4) == 0 ? 0 : random.Next(1, 600_000);
        var interestDue = random.Next(0, 25_000);
        var feeDue = random.Next(3) == 0 ? 0 : random.Next(0, 3_000);
        var penaltyDue = pastDue && random.Next(2) == 0 ? random.Next(0, 5_000) : 0;
        long Part(long whole) => random.Next(3) switch { 0 => 0, 1 => whole, _ => random.NextInt64(0, whole + 1) };
        var interestAccrued = Part(interestDue);
        var feeCharged = Part(feeDue);
        var settle = pastDue && random.Next(3) == 0; // a period paid off whole, its penalty too
        return new
        {
            loanId, period, due = due.ToDateTime(TimeOnly.MinValue), principalDue, interestDue, feeDue, penaltyDue,
            interestAccrued = settle ? interestDue : interestAccrued, feeCharged = settle ? feeDue : feeCharged,
            principalPaid = settle ? principalDue : Part(principalDue), interestPaid = settle ? interestDue : Part(interestAccrued),
            feePaid = settle ? feeDue : Part(feeCharged), penaltyPaid = settle ? penaltyDue : Part(penaltyDue),
        };
    }

    private static decimal Rate(Random random, decimal low, decimal high) => Math.Round(low + ((high - low) * (decimal)random.NextDouble()), 6);

    private static DateOnly Max(DateOnly a, DateOnly b) => a > b ? a : b;

    private static async Task<string> ColumnsAsync(MySqlConnection db, string table, params string[] except) =>
        string.Join(", ", (await db.QueryAsync<string>(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = @table AND column_name NOT IN @except ORDER BY ordinal_position",
            new { table, except })).Select(c => $"`{c}`"));

    /// <summary>Every loan a close of <paramref name="cobDate"/> takes (or, with <paramref name="closedOn"/>, took), with its periods.</summary>
    private static async Task<List<BookLoan>> ReadBookAsync(MySqlConnection db, DateOnly cobDate, DateOnly? closedOn = null)
    {
        var day = cobDate.ToDateTime(TimeOnly.MinValue);
        var loans = (await db.QueryAsync<BookLoanRow>($"""
            SELECT l.id, l.status, l.disbursed_on, l.cob_date, l.days_past_due, l.risk_class, l.penalty_cap, l.annual_rate, l.penalty_daily_rate, l.ceiling,
                   o.risk_class AS override_class, o.requested_by AS override_requested_by, o.decided_by AS override_decided_by, o.reason AS override_reason
              FROM loans l LEFT JOIN risk_class_overrides o ON o.standing_loan = l.id
             WHERE l.status IN ('active', 'overdue') AND l.disbursed_on <= @day
               AND {(closedOn is null ? "(l.cob_date IS NULL OR l.cob_date < @day)" : "l.cob_date = @day")}
             ORDER BY l.id
            """, new { day })).ToList();
        var periods = (await db.QueryAsync<LoanPeriodRowWithLoan>($"""
            SELECT p.loan_id, p.period, p.due_date, p.principal_due, p.interest_due, p.fee_due, p.penalty_due, {LoanSummary.InterestAccruedSql("p", "l")} AS interest_accrued,
                   p.fee_charged, p.principal_paid, p.interest_paid, p.fee_paid, p.penalty_paid
              FROM loan_periods p JOIN loans l ON l.id = p.loan_id WHERE p.loan_id IN @ids
            """, new { ids = loans.Select(l => l.Id).ToArray() })).ToLookup(p => p.LoanId);
        return loans.Select(l => new BookLoan(l, periods[l.Id].ToList())).ToList();
    }

    private sealed record BookLoan(BookLoanRow Loan, List<LoanPeriodRowWithLoan> Periods);

    private sealed record BookLoanRow(
        Guid Id, string Status, DateTime DisbursedOn, DateTime? CobDate, int DaysPastDue, string RiskClass, long PenaltyCap, decimal AnnualRate,
        decimal PenaltyDailyRate, decimal Ceiling, string? OverrideClass, Guid? OverrideRequestedBy, Guid? OverrideDecidedBy, string? OverrideReason);

    private sealed record LoanPeriodRowWithLoan(
        Guid LoanId, int Period, DateTime DueDate, long PrincipalDue, long InterestDue, long FeeDue, long PenaltyDue,
        long InterestAccrued, long FeeCharged, long PrincipalPaid, long InterestPaid, long FeePaid, long PenaltyPaid)
    {
        public bool Unsettled => PrincipalPaid < PrincipalDue || InterestPaid < InterestDue || FeePaid < FeeDue || PenaltyPaid < PenaltyDue;

        public LoanPeriod ToDomain() => new(
            Period, DateOnly.FromDateTime(DueDate), new LoanComponents(PrincipalDue, InterestDue, PenaltyDue, FeeDue),
            new LoanComponents(PrincipalPaid, InterestPaid, PenaltyPaid, FeePaid));
    }
}
