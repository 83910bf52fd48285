using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using HeadlessLoan.Api.Features.Collections;
using HeadlessLoan.Api.Tests.CloseOfBusiness;
using HeadlessLoan.Api.Tests.Infrastructure;
using HeadlessLoan.Api.Tests.Ledger;
using HeadlessLoan.Api.Tests.Loans;
using Microsoft.Extensions.DependencyInjection;

namespace HeadlessLoan.Api.Tests.Collections;

/// <summary>
/// Collections against the real database, the business date walked day by day: orders open on D+7 and go to a
/// collector of the region, collectors see only theirs, contact is held to the rules across reminders and collectors,
/// promises are kept or broken, and orders close when the loan is current.
/// </summary>
public sealed class CollectionsTests(LoansFactory api) : IClassFixture<LoansFactory>
{
    private readonly BusinessDays _days = new(api);

    private const string Password = "collector-password-01";

    [Fact]
    public async Task AnOrderOpensOnTheSeventhDayOverdueGoesToACollectorOfTheRegionAndOnlyThatCollectorSeesIt()
    {
        var (first, second) = (await CollectorAsync(["11"]), await CollectorAsync(["11"]));
        var elsewhere = await CollectorAsync(["31"]);
        var (loanId, firstDue) = await LoanAsync();
        await WalkToAsync(firstDue.AddDays(6));
        using (var early = await SignInAsync(first))
        {
            Assert.Empty(await OrdersAsync(early));
        }

        await WalkToAsync(firstDue.AddDays(7));
        var mine = new List<JsonElement>();
        foreach (var collector in new[] { first, second })
        {
            using var client = await SignInAsync(collector);
            mine.AddRange(await OrdersAsync(client));
        }

        var order = Assert.Single(mine);
        Assert.Equal((loanId, "open", "overdue", 7), (order.GetProperty("loanId").GetGuid(), order.GetProperty("status").GetString(),
            order.GetProperty("reason").GetString(), order.GetProperty("daysOverdue").GetInt32()));
        Assert.True(order.GetProperty("overdueAmount").GetInt64() > 0);
        Assert.Equal(7 * 10 + order.GetProperty("overdueAmount").GetInt64() / 10_000, order.GetProperty("priority").GetInt32());
        var orderId = order.GetProperty("id").GetGuid();
        var assignee = order.GetProperty("assignedTo").GetGuid();
        var other = assignee == first.Id ? second : first;
        using (var outsider = await SignInAsync(other))
        {
            await (await outsider.GetAsync($"/v1/collection-work-orders/{orderId}")).AssertProblemAsync(HttpStatusCode.NotFound);
            await (await outsider.PostWithKeyAsync($"/v1/collection-work-orders/{orderId}/contact-attempts", new { channel = "sms", result = "connected" }, Guid.NewGuid().ToString()))
                .AssertProblemAsync(HttpStatusCode.NotFound);
        }

        using (var region31 = await SignInAsync(elsewhere))
        {
            Assert.Empty(await OrdersAsync(region31));
        }

        using var officer = await api.CreateStaffWithRolesAsync("loan_officer");
        await (await officer.GetAsync("/v1/collection-work-orders")).AssertProblemAsync(HttpStatusCode.Forbidden);
        using var head = await api.CreateStaffWithRolesAsync("dept_head");
        Assert.Contains(await OrdersAsync(head), o => o.GetProperty("id").GetGuid() == orderId);

        // The next day's pass opens no second order for the loan, and refreshes the one there is.
        await WalkToAsync(firstDue.AddDays(8));
        await using var db = await api.OpenDatabaseAsync();
        Assert.Equal((1, 8), await db.QuerySingleAsync<(int, int)>(
            "SELECT COUNT(*), MAX(days_past_due) FROM collection_work_orders WHERE loan_id = @loanId", new { loanId = loanId.ToString() }));
    }

    [Fact]
    public async Task CallsAreHeldToThreeConnectedADayAcrossRemindersAndCollectorsAndNoneInTheQuietHours()
    {
        var collector = await CollectorAsync([]);
        var (loanId, firstDue) = await LoanAsync();
        await WalkToAsync(firstDue.AddDays(7));
        using var client = await SignInAsync(collector);
        var orderId = (await OrdersAsync(client)).Single(o => o.GetProperty("loanId").GetGuid() == loanId).GetProperty("id").GetGuid();
        await using (var db = await api.OpenDatabaseAsync())
        {
            // This morning's automated reminder call connected.
            await db.ExecuteAsync("""
                INSERT INTO contact_calls (id, borrower_id, placed_at, source, source_id, connected)
                SELECT UUID(), borrower_id, @at, 'reminder', UUID(), 1 FROM loans WHERE id = @loanId
                """, new { loanId = loanId.ToString(), at = api.Clock.GetUtcNow().UtcDateTime.AddHours(-1) });
        }

        await (await LogAsync(client, orderId, "call", "no_answer")).AssertStatusAsync(HttpStatusCode.Created);
        foreach (var minutes in new[] { 2, 2 })
        {
            api.Clock.Advance(TimeSpan.FromMinutes(minutes)); // the provider's minute between calls to a number
            await (await LogAsync(client, orderId, "call", "connected")).AssertStatusAsync(HttpStatusCode.Created);
        }

        api.Clock.Advance(TimeSpan.FromMinutes(2));
        var refused = await LogAsync(client, orderId, "call", "connected");
        Assert.Equal("call_limit_reached", (await refused.AssertProblemAsync(HttpStatusCode.Conflict)).GetProperty("code").GetString());
        await (await LogAsync(client, orderId, "sms", "connected")).AssertStatusAsync(HttpStatusCode.Created); // an SMS is not a call

        api.Clock.Advance(TimeSpan.FromHours(14)); // 23:00 China time
        Assert.Equal("quiet_hours", (await (await LogAsync(client, orderId, "sms", "connected")).AssertProblemAsync(HttpStatusCode.Conflict)).GetProperty("code").GetString());
        api.Clock.Advance(TimeSpan.FromHours(10)); // 09:00 the next day: a new day's calls
        using var fresh = await SignInAsync(collector);
        await (await LogAsync(fresh, orderId, "call", "connected")).AssertStatusAsync(HttpStatusCode.Created);

        var detail = await (await fresh.GetAsync($"/v1/collection-work-orders/{orderId}")).ReadJsonAsync();
        Assert.Equal(5, detail.GetProperty("contactAttempts").GetArrayLength());
        await _days.CloseAsync();
    }

    [Fact]
    public async Task ABrokenPromiseReEscalatesTheOrderAndPayingClosesIt()
    {
        var collector = await CollectorAsync([]);
        var (loanId, firstDue) = await LoanAsync();
        await WalkToAsync(firstDue.AddDays(7));
        using (var client = await SignInAsync(collector))
        {
            var order = (await OrdersAsync(client)).Single(o => o.GetProperty("loanId").GetGuid() == loanId);
            var promised = await client.PostWithKeyAsync($"/v1/collection-work-orders/{order.GetProperty("id").GetGuid()}/promises",
                new { amount = 50_000, promisedOn = _days.Today().AddDays(2).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) }, Guid.NewGuid().ToString());
            await promised.AssertStatusAsync(HttpStatusCode.Created);
            var again = await client.PostWithKeyAsync($"/v1/collection-work-orders/{order.GetProperty("id").GetGuid()}/promises",
                new { amount = 50_000, promisedOn = _days.Today().AddDays(2).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) }, Guid.NewGuid().ToString());
            Assert.Equal("promise_open", (await again.AssertProblemAsync(HttpStatusCode.Conflict)).GetProperty("code").GetString());
        }

        await WalkToAsync(firstDue.AddDays(10)); // the day after the promised date: nothing was paid
        using (var client = await SignInAsync(collector))
        {
            var order = (await OrdersAsync(client)).Single(o => o.GetProperty("loanId").GetGuid() == loanId);
            Assert.Equal("open", order.GetProperty("status").GetString());
            Assert.Equal(10 * 10 + order.GetProperty("overdueAmount").GetInt64() / 10_000 + 500, order.GetProperty("priority").GetInt32());
            var detail = await (await client.GetAsync($"/v1/collection-work-orders/{order.GetProperty("id").GetGuid()}")).ReadJsonAsync();
            Assert.Equal("broken", detail.GetProperty("promises")[0].GetProperty("status").GetString());
        }

        await _days.PayOfflineAsync(loanId, await _days.OverdueAsync(loanId));
        await WalkToAsync(firstDue.AddDays(11));
        await using var db = await api.OpenDatabaseAsync();
        Assert.Equal(("closed", "loan_active"), await db.QuerySingleAsync<(string, string)>(
            "SELECT status, close_reason FROM collection_work_orders WHERE loan_id = @loanId", new { loanId = loanId.ToString() }));
    }

    [Fact]
    public async Task ASupervisorOpensAnOrderByHandOncePerLoanAndOnlyCollectorsAreGivenRegions()
    {
        var collector = await CollectorAsync([]);
        var (loanId, _) = await LoanAsync();
        using var head = await api.CreateStaffWithRolesAsync("dept_head");
        var opened = await head.PostWithKeyAsync("/v1/collection-work-orders", new { loanId, note = "Asked for a call" }, Guid.NewGuid().ToString());
        await opened.AssertStatusAsync(HttpStatusCode.Created);
        var order = (await opened.ReadJsonAsync()).GetProperty("order");
        Assert.Equal(("manual", collector.Id), (order.GetProperty("reason").GetString(), order.GetProperty("assignedTo").GetGuid()));
        var twice = await head.PostWithKeyAsync("/v1/collection-work-orders", new { loanId }, Guid.NewGuid().ToString());
        Assert.Equal("work_order_open", (await twice.AssertProblemAsync(HttpStatusCode.Conflict)).GetProperty("code").GetString());
        await (await head.PostWithKeyAsync("/v1/collection-work-orders", new { loanId = Guid.NewGuid() }, Guid.NewGuid().ToString())).AssertProblemAsync(HttpStatusCode.NotFound);

        var officerId = (await CreateStaffAsync("loan_officer")).Id;
        var refused = await head.PutAsJsonAsync($"/v1/collectors/{officerId}", new { regions = Array.Empty<string>(), active = true });
        Assert.Equal("not_a_collector", (await refused.AssertProblemAsync(HttpStatusCode.UnprocessableEntity)).GetProperty("code").GetString());
        var list = await (await head.GetAsync("/v1/collectors")).ReadJsonAsync();
        Assert.Contains(list.GetProperty("items").EnumerateArray(), c => c.GetProperty("staffId").GetGuid() == collector.Id);
    }

    [Fact]
    public async Task AProductsReminderPolicyGivesTheDayItsLoansGetAnOrder()
    {
        var collector = await CollectorAsync([]);
        var product = await LoanFlow.PricedProductAsync(api);
        using (var admin = await api.CreateAdminClientAsync())
        {
            object Policy(int day) => new { tiers = new[] { new { offsetDays = 1, channels = new[] { "sms" }, templateKey = "overdue" } }, lateDays = 2, workOrderOnDay = day };
            var refused = await admin.PutWithKeyAsync($"/v1/reminder-policies/{product}", Policy(367), Guid.NewGuid().ToString());
            Assert.Equal("workOrderOnDay", (await refused.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "reminder_policy_invalid"))
                .GetProperty("errors").EnumerateObject().Single().Name);
            var saved = await admin.PutWithKeyAsync($"/v1/reminder-policies/{product}", Policy(10), Guid.NewGuid().ToString());
            Assert.Equal(10, (await saved.ReadJsonAsync()).GetProperty("workOrderOnDay").GetInt32());
            var versions = (await (await admin.GetAsync($"/v1/reminder-policies/{product}/versions")).ReadJsonAsync()).GetProperty("items");
            Assert.Equal([(1, 10)], versions.EnumerateArray().Select(v => (v.GetProperty("version").GetInt32(), v.GetProperty("workOrderOnDay").GetInt32())));
            await (await admin.GetAsync($"/v1/reminder-policies/{Guid.NewGuid()}/versions")).AssertProblemAsync(HttpStatusCode.NotFound);
        }

        var (loanId, firstDue) = await LoanAsync(product);
        await WalkToAsync(firstDue.AddDays(9));
        await using (var db = await api.OpenDatabaseAsync())
        {
            Assert.Equal(0, await db.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM collection_work_orders WHERE loan_id = @loanId", new { loanId = loanId.ToString() }));
        }

        await WalkToAsync(firstDue.AddDays(10));
        using var client = await SignInAsync(collector);
        var order = (await OrdersAsync(client)).Single(o => o.GetProperty("loanId").GetGuid() == loanId);
        Assert.Equal(10, order.GetProperty("daysOverdue").GetInt32());
    }

    [Fact]
    public async Task ALossLoanIsWrittenOffByASecondPersonOfAHigherRoleAndWhatIsPaidAfterIsARecovery()
    {
        var collector = await CollectorAsync([]);
        var outsider = await CreateStaffAsync("collector");
        var (loanId, firstDue) = await LoanAsync();
        await WalkToAsync(firstDue.AddDays(7));
        using var client = await SignInAsync(collector);
        var orderId = (await OrdersAsync(client)).Single(o => o.GetProperty("loanId").GetGuid() == loanId).GetProperty("id").GetGuid();
        var reason = new { reason = "Borrower untraceable for a year" };
        await (await client.PostWithKeyAsync($"/v1/collection-work-orders/{orderId}/write-off", reason, Guid.NewGuid().ToString()))
            .AssertProblemAsync(HttpStatusCode.Conflict, "loan_not_loss");

        // Classified 损失 by hand (two supervisors), as a loan 361 days overdue would be by the table.
        using var head = await api.CreateStaffWithRolesAsync("dept_head");
        using var otherHead = await api.CreateStaffWithRolesAsync("dept_head");
        await _days.ClassifyAsync(loanId, "loss");

        using (var stranger = await SignInAsync(outsider))
        {
            await (await stranger.PostWithKeyAsync($"/v1/collection-work-orders/{orderId}/write-off", reason, Guid.NewGuid().ToString())).AssertProblemAsync(HttpStatusCode.NotFound);
        }

        // A department head's proposal needs an admin; nobody decides their own.
        var byHead = await ProposeAsync(head, orderId, reason);
        await (await otherHead.PostWithoutBodyAsync($"/v1/write-offs/{byHead}/approve", Guid.NewGuid().ToString())).AssertProblemAsync(HttpStatusCode.Forbidden, "write_off_needs_senior_approver");
        await (await head.PostWithoutBodyAsync($"/v1/write-offs/{byHead}/reject", Guid.NewGuid().ToString())).AssertProblemAsync(HttpStatusCode.Forbidden, "four_eyes_same_person");
        await (await client.PostWithoutBodyAsync($"/v1/write-offs/{byHead}/withdraw", Guid.NewGuid().ToString())).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await head.PostWithoutBodyAsync($"/v1/write-offs/{byHead}/withdraw", Guid.NewGuid().ToString())).AssertStatusAsync(HttpStatusCode.OK);

        var byCollector = await ProposeAsync(client, orderId, reason);
        await (await client.PostWithKeyAsync($"/v1/collection-work-orders/{orderId}/write-off", reason, Guid.NewGuid().ToString()))
            .AssertProblemAsync(HttpStatusCode.Conflict, "write_off_pending");
        var mine = await (await client.GetAsync($"/v1/write-offs?loanId={loanId}")).ReadJsonAsync();
        Assert.Equal([byCollector], mine.GetProperty("items").EnumerateArray().Select(w => w.GetProperty("id").GetGuid()));
        await (await client.PostWithoutBodyAsync($"/v1/write-offs/{byCollector}/approve", Guid.NewGuid().ToString())).AssertProblemAsync(HttpStatusCode.Forbidden);

        var owed = (await _days.LoanAsync(loanId)).GetProperty("receivable");
        var approved = await otherHead.PostWithoutBodyAsync($"/v1/write-offs/{byCollector}/approve", Guid.NewGuid().ToString());
        await approved.AssertStatusAsync(HttpStatusCode.OK);
        var writeOff = await approved.ReadJsonAsync();
        Assert.Equal("written_off", writeOff.GetProperty("status").GetString());
        Assert.Equal(owed.GetRawText(), writeOff.GetProperty("writtenOff").GetRawText());
        var total = owed.GetProperty("total").GetInt64();
        Assert.True(total > 500_000);
        var loan = await _days.LoanAsync(loanId);
        Assert.Equal(("written_off", 0L), (loan.GetProperty("status").GetString(), loan.GetProperty("receivable").GetProperty("total").GetInt64()));
        Assert.Equal((total, 0L, total), (loan.GetProperty("writeOff").GetProperty("writtenOff").GetProperty("total").GetInt64(),
            loan.GetProperty("writeOff").GetProperty("recovered").GetInt64(), loan.GetProperty("writeOff").GetProperty("stillOwed").GetInt64()));
        await (await otherHead.PostWithoutBodyAsync($"/v1/write-offs/{byCollector}/approve", Guid.NewGuid().ToString())).AssertProblemAsync(HttpStatusCode.Conflict, "write_off_not_pending");
        // The claim stands for the credit check too: the principal written off is still owed against the borrower's line.
        var line = await (await head.GetAsync($"/v1/borrowers/{loan.GetProperty("borrowerId").GetGuid()}/credit-line")).ReadJsonAsync();
        Assert.Equal(owed.GetProperty("principal").GetInt64(), line.GetProperty("used").GetInt64());
        Assert.True((await api.ReconcileAsync()).Ok);

        // Collections go on after a write-off (the claim stands); the close of business leaves the loan alone.
        await WalkToAsync(firstDue.AddDays(9));
        Assert.Equal(0, (await _days.LoanAsync(loanId)).GetProperty("receivable").GetProperty("total").GetInt64());
        using (var again = await SignInAsync(collector))
        {
            var promised = await again.PostWithKeyAsync($"/v1/collection-work-orders/{orderId}/promises",
                new { amount = 100_000, promisedOn = _days.Today().AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) }, Guid.NewGuid().ToString());
            await promised.AssertStatusAsync(HttpStatusCode.Created);
        }

        // Later payments are recoveries, up to what was written off; beyond it the borrower's credit. A recovery keeps a
        // promise, and the order closes once everything is recovered.
        await _days.PayOfflineAsync(loanId, 100_000);
        await WalkToAsync(firstDue.AddDays(11));
        await using (var db = await api.OpenDatabaseAsync())
        {
            Assert.Equal((11, total - 100_000), await db.QuerySingleAsync<(int, long)>(
                "SELECT days_past_due, overdue_amount FROM collection_work_orders WHERE id = @orderId", new { orderId = orderId.ToString() }));
        }

        await _days.PayOfflineAsync(loanId, total - 100_000 + 500);
        await WalkToAsync(firstDue.AddDays(12));
        await using (var db = await api.OpenDatabaseAsync())
        {
            Assert.Equal(("closed", "loan_recovered"), await db.QuerySingleAsync<(string, string)>(
                "SELECT status, close_reason FROM collection_work_orders WHERE id = @orderId", new { orderId = orderId.ToString() }));
            Assert.Equal("kept", await db.ExecuteScalarAsync<string>("SELECT status FROM collection_promises WHERE work_order_id = @orderId", new { orderId = orderId.ToString() }));
        }

        using var reader = await api.CreateStaffWithRolesAsync("dept_head");
        var after = await (await reader.GetAsync($"/v1/write-offs/{byCollector}")).ReadJsonAsync();
        Assert.Equal(total, after.GetProperty("recovered").GetInt64());
        loan = await _days.LoanAsync(loanId);
        Assert.Equal(("written_off", 500L), (loan.GetProperty("status").GetString(), loan.GetProperty("credit").GetInt64()));
        Assert.Equal((total, 0L), (loan.GetProperty("writeOff").GetProperty("recovered").GetInt64(), loan.GetProperty("writeOff").GetProperty("stillOwed").GetInt64()));
        var proof = await api.ReconcileAsync();
        Assert.True(proof.Ok, string.Join("; ", proof.ScheduleMismatches.Select(m => $"{m.Component} {m.Schedule} vs {m.Ledger}")));
        await using (var db = await api.OpenDatabaseAsync())
        {
            Assert.Equal((total, total), await db.QuerySingleAsync<(long, long)>("""
                SELECT CAST(SUM(IF(account = 'write_off_expense', balance, 0)) AS SIGNED), CAST(SUM(IF(account = 'recovery_income', balance, 0)) AS SIGNED)
                  FROM loan_balances WHERE loan_id = @loanId
                """, new { loanId = loanId.ToString() }));
        }
    }

    [Fact]
    public async Task AProposalWhoseLoanIsRepaidBeforeApprovalLapsesAndAClosedOrderTakesNoProposal()
    {
        var collector = await CollectorAsync([]);
        var (loanId, firstDue) = await LoanAsync();
        var (otherLoanId, _) = await LoanAsync(); // the same day: the same due dates
        await WalkToAsync(firstDue.AddDays(7));
        using var otherHead = await api.CreateStaffWithRolesAsync("dept_head");
        using var client = await SignInAsync(collector);
        var orders = await OrdersAsync(client);
        var proposals = new List<(Guid Loan, Guid Order, Guid Proposal)>();
        foreach (var loan in new[] { loanId, otherLoanId })
        {
            await _days.ClassifyAsync(loan, "loss");
            var orderId = orders.Single(o => o.GetProperty("loanId").GetGuid() == loan).GetProperty("id").GetGuid();
            proposals.Add((loan, orderId, await ProposeAsync(client, orderId, new { reason = "Borrower untraceable" })));
        }

        // The borrowers pay what is overdue: the loans are current again, and the proposals can no longer be approved.
        // The first lapses when an approval finds it so, the second at the next daily pass.
        foreach (var (loan, _, _) in proposals)
        {
            await _days.PayOfflineAsync(loan, await _days.OverdueAsync(loan));
        }

        await (await otherHead.PostWithoutBodyAsync($"/v1/write-offs/{proposals[0].Proposal}/approve", Guid.NewGuid().ToString()))
            .AssertProblemAsync(HttpStatusCode.Conflict, "loan_not_overdue");
        Assert.Equal("lapsed", await StatusAsync(proposals[0].Proposal));
        Assert.Equal("proposed", await StatusAsync(proposals[1].Proposal));
        Assert.Equal("active", (await _days.LoanAsync(loanId)).GetProperty("status").GetString());

        await WalkToAsync(firstDue.AddDays(8));
        Assert.Equal("lapsed", await StatusAsync(proposals[1].Proposal));
        using var supervisor = await api.CreateStaffWithRolesAsync("dept_head");
        await (await supervisor.PostWithoutBodyAsync($"/v1/write-offs/{proposals[1].Proposal}/approve", Guid.NewGuid().ToString()))
            .AssertProblemAsync(HttpStatusCode.Conflict, "write_off_not_pending");

        // The pass closed the orders too; their collector proposes nothing through them.
        using var later = await SignInAsync(collector);
        await (await later.PostWithKeyAsync($"/v1/collection-work-orders/{proposals[0].Order}/write-off", new { reason = "Borrower untraceable" }, Guid.NewGuid().ToString()))
            .AssertProblemAsync(HttpStatusCode.Conflict, "work_order_closed");
        Assert.True((await api.ReconcileAsync()).Ok);

        async Task<string?> StatusAsync(Guid proposal)
        {
            using var reader = await api.CreateStaffWithRolesAsync("dept_head");
            return (await (await reader.GetAsync($"/v1/write-offs/{proposal}")).ReadJsonAsync()).GetProperty("status").GetString();
        }
    }

    private static async Task<Guid> ProposeAsync(HttpClient client, Guid orderId, object reason)
    {
        var proposed = await client.PostWithKeyAsync($"/v1/collection-work-orders/{orderId}/write-off", reason, Guid.NewGuid().ToString());
        await proposed.AssertStatusAsync(HttpStatusCode.Created);
        var body = await proposed.ReadJsonAsync();
        Assert.Equal("proposed", body.GetProperty("status").GetString());
        return body.GetProperty("id").GetGuid();
    }

    private sealed record Collector(Guid Id, string Username);

    /// <summary>A new collector working <paramref name="regions"/>; every collector before is taken off assignment, so each test knows who gets what.</summary>
    private async Task<Collector> CollectorAsync(string[] regions)
    {
        var created = await CreateStaffAsync("collector");
        await using (var db = await api.OpenDatabaseAsync())
        {
            if (!_collectorsReset)
            {
                await db.ExecuteAsync("UPDATE collectors SET active = 0");
                _collectorsReset = true;
            }
        }

        using var head = await api.CreateStaffWithRolesAsync("dept_head");
        await (await head.PutAsJsonAsync($"/v1/collectors/{created.Id}", new { regions, active = true })).AssertStatusAsync(HttpStatusCode.OK);
        return new Collector(created.Id, created.Username);
    }

    private bool _collectorsReset;

    private async Task<Collector> CreateStaffAsync(string role)
    {
        using var admin = await api.CreateAdminClientAsync();
        var username = "c" + Guid.NewGuid().ToString("N")[..10];
        var created = await admin.PostAsJsonAsync("/v1/staff", new { username, displayName = "Collector " + username, password = Password, roles = new[] { role } });
        await created.AssertStatusAsync(HttpStatusCode.Created);
        return new Collector((await created.ReadJsonAsync()).GetProperty("id").GetGuid(), username);
    }

    private Task<HttpClient> SignInAsync(Collector collector) => api.CreateStaffClientAsync(collector.Username, Password);

    private async Task<(Guid LoanId, DateOnly FirstDue)> LoanAsync(Guid? productId = null)
    {
        await _days.CloseAsync();
        var product = productId ?? await LoanFlow.PricedProductAsync(api);
        var (_, loan) = await LoanFlow.ActiveAsync(api, product, amount: 500_000);
        return (loan.GetProperty("id").GetGuid(), DateOnly.Parse(loan.GetProperty("nextDue").GetProperty("dueDate").GetString()!, CultureInfo.InvariantCulture));
    }

    private Task WalkToAsync(DateOnly businessDate) =>
        _days.WalkToAsync(businessDate, () => api.Services.GetRequiredService<CollectionsJob>().RunOnceAsync(CancellationToken.None));

    private static async Task<JsonElement[]> OrdersAsync(HttpClient client)
    {
        var response = await client.GetAsync("/v1/collection-work-orders?status=open");
        await response.AssertStatusAsync(HttpStatusCode.OK);
        return [.. (await response.ReadJsonAsync()).GetProperty("items").EnumerateArray()];
    }

    private static Task<HttpResponseMessage> LogAsync(HttpClient client, Guid orderId, string channel, string result) =>
        client.PostWithKeyAsync($"/v1/collection-work-orders/{orderId}/contact-attempts", new { channel, result, note = "Test" }, Guid.NewGuid().ToString());
}
