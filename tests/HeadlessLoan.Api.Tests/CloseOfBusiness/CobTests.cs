using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Dapper;
using HeadlessLoan.Api.Features.CloseOfBusiness;
using HeadlessLoan.Api.Tests.Infrastructure;
using HeadlessLoan.Api.Tests.Ledger;
using HeadlessLoan.Api.Tests.Loans;
using Microsoft.Extensions.DependencyInjection;

namespace HeadlessLoan.Api.Tests.CloseOfBusiness;

/// <summary>
/// The close of business against the real database, the business date walked day by day on the service's clock:
/// loans fall overdue the day after a due date, catch up when paid, are classified and snapshotted once per date,
/// and a failed date waits for a rerun.
/// </summary>
public sealed class CobTests(LoansFactory api) : IClassFixture<LoansFactory>
{
    [Fact]
    public async Task ALoanFallsOverdueTheDayAfterItsDueDateIsClassifiedCutsTheLineAndCatchesUpWhenPaid()
    {
        await CloseAsync(); // the first run closes yesterday: what came before the service is not replayed
        var product = await LoanFlow.PricedProductAsync(api);
        var (_, loan) = await LoanFlow.ActiveAsync(api, product, amount: 1_000_000);
        var loanId = loan.GetProperty("id").GetGuid();
        var borrowerId = loan.GetProperty("borrowerId").GetGuid();
        var firstDue = DateOnly.Parse(loan.GetProperty("nextDue").GetProperty("dueDate").GetString()!, CultureInfo.InvariantCulture);

        // Up to the due date itself nothing is past due.
        await WalkToAsync(firstDue.AddDays(1)); // business date: the day after; COB date: the due date
        var onDueDate = await LoanAsync(loanId);
        Assert.Equal(("active", 0, "normal", firstDue), Standing(onDueDate));

        await WalkToAsync(firstDue.AddDays(2));
        var dayOne = await LoanAsync(loanId);
        Assert.Equal(("overdue", 1, "special_mention", firstDue.AddDays(1)), Standing(dayOne));
        using var staff = await api.CreateStaffWithRolesAsync("loan_officer");
        var line = await (await staff.GetAsync($"/v1/borrowers/{borrowerId}/credit-line")).ReadJsonAsync();
        Assert.Equal(500_000, line.GetProperty("limit").GetInt64()); // halved by the default rules
        Assert.Equal("overdue", line.GetProperty("changes")[0].GetProperty("reason").GetString());

        await WalkToAsync(firstDue.AddDays(4));
        Assert.Equal(("overdue", 3, "special_mention", firstDue.AddDays(3)), Standing(await LoanAsync(loanId)));

        // Paid: active again at once; the next COB finds nothing past due.
        await PayOfflineAsync(loanId, (await LoanAsync(loanId)).GetProperty("overdueAmount").GetInt64());
        Assert.Equal("active", (await LoanAsync(loanId)).GetProperty("status").GetString());
        await WalkToAsync(firstDue.AddDays(5));
        Assert.Equal(("active", 0, "normal", firstDue.AddDays(4)), Standing(await LoanAsync(loanId)));

        await using var db = await api.OpenDatabaseAsync();
        var snapshots = (await db.QueryAsync<(DateTime Date, string Status, int Dpd)>(
            "SELECT cob_date, status, days_past_due FROM loan_day_snapshots WHERE loan_id = @loanId ORDER BY cob_date", new { loanId })).ToList();
        // One row per COB date from the payout on, each as the loan stood that day.
        Assert.Equal(snapshots.Count, snapshots.Select(s => s.Date).Distinct().Count());
        Assert.Equal(firstDue.AddDays(4), DateOnly.FromDateTime(snapshots[^1].Date));
        Assert.Equal([0, 1, 2, 3, 0], snapshots.TakeLast(5).Select(s => s.Dpd));
        // Every night's row carries the region the application declared, which the loan took when it was made.
        var regions = (await db.QueryAsync<(string Snapshot, string Loan, string Declared)>(
            "SELECT DISTINCT s.region_code, l.region_code, a.declared_region_code FROM loan_day_snapshots s JOIN loans l ON l.id = s.loan_id " +
            "JOIN applications a ON a.id = l.application_id WHERE s.loan_id = @loanId", new { loanId })).ToList();
        var region = Assert.Single(regions);
        Assert.Equal((region.Declared, region.Declared), (region.Snapshot, region.Loan));
        Assert.Equal(1, await db.ExecuteScalarAsync<int>(
            "SELECT COUNT(*) FROM outbox_events WHERE event_type = 'loan.overdue' AND entity_id = @id", new { id = loanId.ToString() }));
        Assert.True((await api.ReconcileAsync()).Ok);
    }

    [Fact]
    public async Task ALoansPenaltyStopsAtTheCapItsProductVersionGaveItAtAcceptance()
    {
        using (var admin = await api.CreateAdminClientAsync())
        {
            foreach (var share in new[] { 1.5m, 0.00001m })
            {
                var body = LoanFlow.PricedProduct();
                body["penaltyCapShare"] = share;
                var refused = await admin.PostAsJsonAsync("/v1/products", body);
                Assert.Equal("penaltyCapShare", (await refused.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed"))
                    .GetProperty("errors").EnumerateObject().Single().Name);
            }
        }

        await CloseAsync();
        var product = await LoanFlow.PricedProductAsync(api, configure: p => p["penaltyCapShare"] = 0.0001m);
        var (_, loan) = await LoanFlow.ActiveAsync(api, product, amount: 1_000_000);
        Assert.Equal(100, loan.GetProperty("penaltyCap").GetInt64());
        var loanId = loan.GetProperty("id").GetGuid();
        var firstDue = DateOnly.Parse(loan.GetProperty("nextDue").GetProperty("dueDate").GetString()!, CultureInfo.InvariantCulture);

        // 0.03 % a day on the overdue principal is over 20 fen a day: the cap is met within a week and held.
        await WalkToAsync(firstDue.AddDays(3));
        var early = (await LoanAsync(loanId)).GetProperty("receivable").GetProperty("penalty").GetInt64();
        Assert.InRange(early, 1, 99);
        await WalkToAsync(firstDue.AddDays(10));
        Assert.Equal(100, (await LoanAsync(loanId)).GetProperty("receivable").GetProperty("penalty").GetInt64());
        Assert.True((await api.ReconcileAsync()).Ok);
    }

    [Fact]
    public async Task EachCloseAccruesTheDaysInterestAsAPayoffTheNextDayReckonsItAndChargesTheFeeOnItsDueDate()
    {
        await CloseAsync();
        var product = await LoanFlow.PricedProductAsync(api);
        var (borrower, loan) = await LoanFlow.ActiveAsync(api, product, amount: 1_000_000);
        var loanId = loan.GetProperty("id").GetGuid();
        var disbursedOn = DateOnly.Parse(loan.GetProperty("disbursedOn").GetString()!, CultureInfo.InvariantCulture);
        var rate = loan.GetProperty("annualRate").GetDecimal();
        var periods = (await (await borrower.GetAsync($"/v1/loans/{loanId}/schedule")).ReadJsonAsync()).GetProperty("periods");
        var (first, second) = (periods[0].GetProperty("due"), periods[1].GetProperty("due"));
        var firstDue = DateOnly.Parse(periods[0].GetProperty("dueDate").GetString()!, CultureInfo.InvariantCulture);
        var (scheduledInterest, fee) = (first.GetProperty("interest").GetInt64(), first.GetProperty("fee").GetInt64());

        // Ten closes: the books hold ten days' interest on the whole principal, rounded once, and no fee yet.
        await WalkToAsync(disbursedOn.AddDays(10));
        var tenDays = Math.Min(scheduledInterest, (long)Math.Round(1_000_000 * rate * 10 / 360, MidpointRounding.AwayFromZero));
        var receivable = (await LoanAsync(loanId)).GetProperty("receivable");
        Assert.Equal((1_000_000L, tenDays, 0L), (receivable.GetProperty("principal").GetInt64(), receivable.GetProperty("interest").GetInt64(),
            receivable.GetProperty("fee").GetInt64()));
        // A payoff on the business date asks for interest through the COB date: the same figure.
        using var admin = await api.CreateAdminClientAsync();
        var quote = await (await admin.GetAsync($"/v1/loans/{loanId}/payoff-quote?date={ChinaToday():yyyy-MM-dd}")).ReadJsonAsync();
        Assert.Equal(tenDays, quote.GetProperty("amount").GetProperty("interest").GetInt64());

        // Through the first due date: its whole interest and its fee are owed in the books, and the second period has
        // run a day (from the due date, counted) on the principal not yet due.
        await WalkToAsync(firstDue.AddDays(1));
        var secondsFirstDay = Math.Min(second.GetProperty("interest").GetInt64(),
            (long)Math.Round((1_000_000 - first.GetProperty("principal").GetInt64()) * rate / 360, MidpointRounding.AwayFromZero));
        receivable = (await LoanAsync(loanId)).GetProperty("receivable");
        Assert.Equal((scheduledInterest + secondsFirstDay, fee), (receivable.GetProperty("interest").GetInt64(), receivable.GetProperty("fee").GetInt64()));
        Assert.True((await api.ReconcileAsync()).Ok);
    }

    [Fact]
    public async Task AQuietLoansNightsStayOnItsRowUntilARepaymentWritesThemOntoItsPeriodsAndTheNextCloseSumsItUpAgain()
    {
        await CloseAsync();
        var product = await LoanFlow.PricedProductAsync(api);
        var (_, loan) = await LoanFlow.ActiveAsync(api, product, amount: 1_000_000);
        var loanId = loan.GetProperty("id").GetGuid();
        var disbursedOn = DateOnly.Parse(loan.GetProperty("disbursedOn").GetString()!, CultureInfo.InvariantCulture);
        var rate = loan.GetProperty("annualRate").GetDecimal();
        long Interest(int days) => (long)Math.Round(1_000_000 * rate * days / 360, MidpointRounding.AwayFromZero);

        // The first close sums the loan up, its running period's interest left pending on the loan's row; the five
        // after it are quiet and add theirs: nothing is on the period yet.
        await WalkToAsync(disbursedOn.AddDays(6));
        await using var db = await api.OpenDatabaseAsync();
        var quiet = await db.QuerySingleAsync<(long Pending, DateTime? SummaryOf, long OnPeriod)>("""
            SELECT l.pending_interest, l.summary_of, p.interest_accrued FROM loans l JOIN loan_periods p ON p.loan_id = l.id AND p.period = 1 WHERE l.id = @loanId
            """, new { loanId });
        Assert.Equal((Interest(6), disbursedOn.AddDays(5), 0L), (quiet.Pending, DateOnly.FromDateTime(quiet.SummaryOf!.Value), quiet.OnPeriod));
        Assert.Equal(Interest(6), (await LoanAsync(loanId)).GetProperty("receivable").GetProperty("interest").GetInt64());
        Assert.True((await api.ReconcileAsync()).Ok);
        // The reconciliation holds the summary to the periods: one that strays is named, column by column.
        await db.ExecuteAsync("UPDATE loans SET running_base = running_base + 1, fee_outstanding = fee_outstanding + 1 WHERE id = @loanId", new { loanId });
        var strayed = await api.ReconcileAsync();
        Assert.False(strayed.Ok);
        Assert.Equal(["running_base", "fee_outstanding"], strayed.SummaryMismatches.Single(m => m.LoanId == loanId).Fields);
        await db.ExecuteAsync("UPDATE loans SET running_base = running_base - 1, fee_outstanding = fee_outstanding - 1 WHERE id = @loanId", new { loanId });

        // A repayment (early: kept as credit or settling interest, as the product says) writes it onto the period
        // before it settles anything, and voids the summary.
        await PayOfflineAsync(loanId, 100);
        var paid = await db.QuerySingleAsync<(long Pending, DateTime? SummaryOf, long OnPeriod, long InterestPaid)>("""
            SELECT l.pending_interest, l.summary_of, p.interest_accrued, p.interest_paid FROM loans l JOIN loan_periods p ON p.loan_id = l.id AND p.period = 1 WHERE l.id = @loanId
            """, new { loanId });
        Assert.Equal((0L, (DateTime?)null, Interest(6)), (paid.Pending, paid.SummaryOf, paid.OnPeriod));
        Assert.True((await api.ReconcileAsync()).Ok);

        // The next close takes the long way and sums the loan up again, its night pending again; the one after is
        // quiet once more.
        await WalkToAsync(disbursedOn.AddDays(8));
        var again = await db.QuerySingleAsync<(long Pending, DateTime? SummaryOf, long Outstanding)>(
            "SELECT pending_interest, summary_of, interest_outstanding FROM loans WHERE id = @loanId", new { loanId });
        Assert.Equal((Interest(8) - Interest(6), disbursedOn.AddDays(7), Interest(8) - paid.InterestPaid), (again.Pending, DateOnly.FromDateTime(again.SummaryOf!.Value), again.Outstanding));
        Assert.Equal(Interest(8) - paid.InterestPaid, (await LoanAsync(loanId)).GetProperty("receivable").GetProperty("interest").GetInt64());
        Assert.True((await api.ReconcileAsync()).Ok);
    }

    [Fact]
    public async Task TwoRunnersAtOnceCloseEachLoanOnceAndARerunOfTheSameDateChangesNothing()
    {
        await CloseAsync();
        var product = await LoanFlow.PricedProductAsync(api);
        for (var i = 0; i < 9; i++)
        {
            await LoanFlow.ActiveAsync(api, product, amount: 500_000);
        }

        api.Clock.Advance(TimeSpan.FromDays(1));
        var second = ActivatorUtilities.CreateInstance<CobJob>(api.Services);
        await Task.WhenAll(Task.Run(() => api.Services.GetRequiredService<CobJob>().CloseAllAsync(CancellationToken.None)),
            Task.Run(() => second.CloseAllAsync(CancellationToken.None)));
        await second.StopAsync(CancellationToken.None); // the second instance stops and gives its lease up, if it held it
        await CloseAsync(); // whichever stopped first, the date is closed by now

        var today = ChinaToday();
        await using var db = await api.OpenDatabaseAsync();
        var cobDate = today.AddDays(-1).ToDateTime(TimeOnly.MinValue);
        var open = await db.ExecuteScalarAsync<int>(
            "SELECT COUNT(*) FROM loans WHERE status IN ('active', 'overdue') AND disbursed_on <= @cobDate", new { cobDate });
        var run = await db.QuerySingleAsync<(string Status, int Processed)>("SELECT status, loans_processed FROM cob_runs WHERE cob_date = @cobDate", new { cobDate });
        Assert.Equal(("completed", open), run);
        Assert.Equal(open, await db.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM loan_day_snapshots WHERE cob_date = @cobDate", new { cobDate }));
        // Closed in two slices at once (the tests' batches are small), each in several batches, each slice done.
        var slices = (await db.QueryAsync<(int Loans, int Batches, bool Done)>(
            "SELECT loans_processed, batches, done FROM cob_run_slices WHERE cob_date = @cobDate ORDER BY slice", new { cobDate })).ToList();
        Assert.Equal(2, slices.Count);
        Assert.All(slices, s => Assert.True(s.Done && s.Batches > 1, $"slice {s}"));
        Assert.Equal(open, slices.Sum(s => s.Loans));

        // Asked to close the same date again (a crash after the last batch, replayed): nothing is reached twice.
        await db.ExecuteAsync("UPDATE cob_runs SET status = 'running', cursor_loan_id = NULL WHERE cob_date = @cobDate", new { cobDate });
        await CloseAsync();
        Assert.Equal(("completed", open), await db.QuerySingleAsync<(string, int)>("SELECT status, loans_processed FROM cob_runs WHERE cob_date = @cobDate", new { cobDate }));
    }

    [Fact]
    public async Task ARepaymentDuringTheCloseIsNeverRefusedAndTheLoanEndsTheDayConsistentWhicheverFinishesFirst()
    {
        await CloseAsync();
        var product = await LoanFlow.PricedProductAsync(api);
        var loans = new List<(Guid Id, DateOnly FirstDue)>();
        for (var i = 0; i < 3; i++)
        {
            var (_, loan) = await LoanFlow.ActiveAsync(api, product, amount: 600_000);
            loans.Add((loan.GetProperty("id").GetGuid(), DateOnly.Parse(loan.GetProperty("nextDue").GetProperty("dueDate").GetString()!, CultureInfo.InvariantCulture)));
        }

        // Every loan one day overdue; the close of the second overdue day is what each repayment meets.
        await WalkToAsync(loans.Max(l => l.FirstDue).AddDays(2));
        api.Clock.Advance(TimeSpan.FromDays(1));
        var (before, after, during) = (loans[0].Id, loans[1].Id, loans[2].Id);
        // Each pays what is overdue with room to spare: a close that comes first charges one more day's penalty.
        await PayOfflineAsync(before, await OverdueAsync(before) + Spare); // paid, then closed
        var racing = await RecordOfflineAsync(during, await OverdueAsync(during) + Spare);
        await Task.WhenAll(CloseAsync(), ApproveOfflineAsync(during, racing)); // a real race: either may lock the loan first
        await PayOfflineAsync(after, await OverdueAsync(after) + Spare); // closed, then paid

        foreach (var loanId in new[] { before, during, after })
        {
            var loan = await LoanAsync(loanId);
            Assert.Equal(("active", 0L), (loan.GetProperty("status").GetString(), loan.GetProperty("overdueAmount").GetInt64()));
            Assert.Equal(ChinaToday().AddDays(-1), DateOnly.Parse(loan.GetProperty("closedThrough").GetString()!, CultureInfo.InvariantCulture));
        }

        // The next close finds nothing past due on any of them, and the books hold.
        api.Clock.Advance(TimeSpan.FromDays(1));
        await CloseAsync();
        foreach (var loanId in new[] { before, during, after })
        {
            Assert.Equal(("active", 0, "normal", ChinaToday().AddDays(-1)), Standing(await LoanAsync(loanId)));
        }

        var proof = await api.ReconcileAsync();
        Assert.True(proof.Ok, $"mismatches {string.Join(",", proof.SnapshotMismatches)}");
    }

    [Fact]
    public async Task AFailedDateStopsTheJobIsShownToStaffAndGoesOnWhereItStoppedWhenRerun()
    {
        await CloseAsync();
        var product = await LoanFlow.PricedProductAsync(api);
        var (_, loan) = await LoanFlow.ActiveAsync(api, product, amount: 500_000);
        var loanId = loan.GetProperty("id").GetGuid();
        await using var db = await api.OpenDatabaseAsync();
        // A row the rules cannot read (a class no table has) fails the batch that reaches it.
        await db.ExecuteAsync("UPDATE loans SET risk_class = 'unknown' WHERE id = @loanId", new { loanId });
        api.Clock.Advance(TimeSpan.FromDays(1));
        await CloseAsync();
        var cobDate = ChinaToday().AddDays(-1);
        api.Clock.Advance(TimeSpan.FromDays(1));
        await CloseAsync(); // the next date waits for the failed one

        using var admin = await api.CreateAdminClientAsync();
        var listed = await (await admin.GetAsync("/v1/cob/runs?limit=2")).ReadJsonAsync();
        Assert.Equal(ChinaToday(), DateOnly.Parse(listed.GetProperty("businessDate").GetString()!, CultureInfo.InvariantCulture));
        var failed = listed.GetProperty("runs")[0];
        Assert.Equal((cobDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), "failed", 1), (failed.GetProperty("cobDate").GetString(), failed.GetProperty("status").GetString(),
            failed.GetProperty("failures").GetInt32()));
        Assert.Contains("unknown", failed.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        using var officer = await api.CreateStaffWithRolesAsync("loan_officer");
        await (await officer.PostWithKeyAsync($"/v1/cob/runs/{cobDate:yyyy-MM-dd}/rerun", new { }, Guid.NewGuid().ToString())).AssertProblemAsync(HttpStatusCode.Forbidden);

        await db.ExecuteAsync("UPDATE loans SET risk_class = 'normal' WHERE id = @loanId", new { loanId });
        var rerun = await admin.PostWithKeyAsync($"/v1/cob/runs/{cobDate:yyyy-MM-dd}/rerun", new { }, Guid.NewGuid().ToString());
        await rerun.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal("running", (await rerun.ReadJsonAsync()).GetProperty("status").GetString());
        await (await admin.PostWithKeyAsync($"/v1/cob/runs/{cobDate:yyyy-MM-dd}/rerun", new { }, Guid.NewGuid().ToString()))
            .AssertProblemAsync(HttpStatusCode.Conflict, "cob_run_not_failed");
        await (await admin.PostWithKeyAsync("/v1/cob/runs/1999-01-01/rerun", new { }, Guid.NewGuid().ToString())).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");

        await CloseAsync();
        var runs = (await (await admin.GetAsync("/v1/cob/runs?limit=2")).ReadJsonAsync()).GetProperty("runs");
        Assert.Equal(["completed", "completed"], runs.EnumerateArray().Select(r => r.GetProperty("status").GetString()));
        Assert.Equal(cobDate.AddDays(1), DateOnly.Parse(runs[0].GetProperty("cobDate").GetString()!, CultureInfo.InvariantCulture));
        await (await admin.GetAsync("/v1/cob/runs?limit=0")).AssertProblemAsync(HttpStatusCode.UnprocessableEntity);
    }

    private readonly BusinessDays _days = new(api);

    private Task<int> CloseAsync() => _days.CloseAsync();

    private Task WalkToAsync(DateOnly businessDate) => _days.WalkToAsync(businessDate);

    private DateOnly ChinaToday() => _days.Today();

    private Task<System.Text.Json.JsonElement> LoanAsync(Guid loanId) => _days.LoanAsync(loanId);

    private static (string, int, string, DateOnly?) Standing(System.Text.Json.JsonElement loan) => (
        loan.GetProperty("status").GetString()!, loan.GetProperty("daysPastDue").GetInt32(), loan.GetProperty("riskClass").GetString()!,
        loan.GetProperty("closedThrough").ValueKind == System.Text.Json.JsonValueKind.Null
            ? null : DateOnly.Parse(loan.GetProperty("closedThrough").GetString()!, CultureInfo.InvariantCulture));

    /// <summary>Fen beyond what is overdue: more than any day's penalty here, kept as the borrower's credit.</summary>
    private const long Spare = 10_000;

    private Task<long> OverdueAsync(Guid loanId) => _days.OverdueAsync(loanId);

    private Task PayOfflineAsync(Guid loanId, long amount) => _days.PayOfflineAsync(loanId, amount);

    private Task<Guid> RecordOfflineAsync(Guid loanId, long amount) => _days.RecordOfflineAsync(loanId, amount);

    private Task ApproveOfflineAsync(Guid loanId, Guid repaymentId) => _days.ApproveOfflineAsync(loanId, repaymentId);
}
