using System.Net;
using System.Net.Http.Json;
using System.Text;
using Dapper;
using HeadlessLoan.Api.Tests.Infrastructure;
using HeadlessLoan.Api.Tests.Ledger;

namespace HeadlessLoan.Api.Tests.Loans;

/// <summary>
/// Payouts through the sandbox bank, whose answer depends on the amount's last three digits (docs/sandbox.md) and
/// whose clock is the service's: a payout it holds as processing ends when the test moves the clock on.
/// </summary>
public sealed class DisbursementTests(LoansFactory api) : IClassFixture<LoansFactory>
{
    [Fact]
    public async Task APayoutTheBankMakesAtOnceStartsTheLoanRedatesItsScheduleAndPostsOnce()
    {
        var product = await LoanFlow.PricedProductAsync(api);
        var (borrower, accepted) = await LoanFlow.AcceptedAsync(api, product);
        var loanId = accepted.GetProperty("id").GetGuid();

        Assert.True(await LoanFlow.PayOutAsync(api) >= 1);

        var loan = await LoanFlow.LoanAsync(borrower, loanId);
        Assert.Equal("active", loan.GetProperty("status").GetString());
        var disbursedOn = DateOnly.Parse(loan.GetProperty("disbursedOn").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(DateOnly.FromDateTime(api.Clock.GetUtcNow().AddHours(8).DateTime), disbursedOn);
        Assert.Equal(1_000_000, loan.GetProperty("receivable").GetProperty("principal").GetInt64());
        var schedule = await (await borrower.GetAsync($"/v1/loans/{loanId}/schedule")).ReadJsonAsync();
        var dueDates = schedule.GetProperty("periods").EnumerateArray().Select(p => p.GetProperty("dueDate").GetString()).ToList();
        Assert.Equal(Enumerable.Range(1, 12).Select(k => disbursedOn.AddMonths(k).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)), dueDates);

        var payouts = await (await borrower.GetAsync($"/v1/loans/{loanId}/payouts")).ReadJsonAsync();
        var payout = Assert.Single(payouts.GetProperty("items").EnumerateArray());
        Assert.Equal("succeeded", payout.GetProperty("state").GetString());
        Assert.Equal(accepted.GetProperty("contractNumber").GetString() + "-1", payout.GetProperty("payoutNo").GetString());

        // The bank calls back as well, shortly after: the payout has ended, nothing is posted twice.
        api.Clock.Advance(TimeSpan.FromSeconds(1));
        await WaitForCallbacksAsync(1);
        Assert.Equal(1, await EntriesAsync(loanId));
        Assert.True((await api.ReconcileAsync()).Ok);
    }

    [Fact]
    public async Task APayoutTheBankFinishesLaterEndsByItsCallback()
    {
        var product = await LoanFlow.PricedProductAsync(api);
        var (borrower, accepted) = await LoanFlow.AcceptedAsync(api, product, amount: 1_000_002);
        var loanId = accepted.GetProperty("id").GetGuid();
        await LoanFlow.PayOutAsync(api);
        Assert.Equal("pending_disbursement", (await LoanFlow.LoanAsync(borrower, loanId)).GetProperty("status").GetString());
        Assert.Equal("processing", await PayoutStateAsync(loanId, 1));

        api.Clock.Advance(TimeSpan.FromSeconds(2));

        var loan = await LoanFlow.LoanLeavingAsync(borrower, loanId, "pending_disbursement");
        Assert.Equal("active", loan.GetProperty("status").GetString());
        Assert.Equal(1, await EntriesAsync(loanId));
    }

    [Fact]
    public async Task ThreeCopiesOfOneCallbackApplyOnce()
    {
        var product = await LoanFlow.PricedProductAsync(api);
        var (borrower, accepted) = await LoanFlow.AcceptedAsync(api, product, amount: 1_000_005);
        var loanId = accepted.GetProperty("id").GetGuid();
        await LoanFlow.PayOutAsync(api);
        var before = api.Relay.Forwarded;

        api.Clock.Advance(TimeSpan.FromSeconds(2));
        await WaitForCallbacksAsync(before + 3);

        Assert.Equal("active", (await LoanFlow.LoanAsync(borrower, loanId)).GetProperty("status").GetString());
        Assert.Equal(1, await EntriesAsync(loanId));
        Assert.True((await api.ReconcileAsync()).Ok);
    }

    [Fact]
    public async Task APayoutNeverCalledBackAboutIsQueriedWhenItsTimeComes()
    {
        var product = await LoanFlow.PricedProductAsync(api);
        var (borrower, accepted) = await LoanFlow.AcceptedAsync(api, product, amount: 1_000_004);
        var loanId = accepted.GetProperty("id").GetGuid();
        await LoanFlow.PayOutAsync(api);
        Assert.Equal("processing", await PayoutStateAsync(loanId, 1));

        // Not yet: the payout waits for its callback until Loans:PayoutQueryAfterSeconds (60) have passed.
        api.Clock.Advance(TimeSpan.FromSeconds(30));
        await LoanFlow.PayOutAsync(api);
        Assert.Equal("processing", await PayoutStateAsync(loanId, 1));
        api.Clock.Advance(TimeSpan.FromSeconds(31));
        await LoanFlow.PayOutAsync(api);

        Assert.Equal("active", (await LoanFlow.LoanAsync(borrower, loanId)).GetProperty("status").GetString());
        Assert.Equal(1, await EntriesAsync(loanId));
    }

    [Fact]
    public async Task AFailedPayoutIsRetriedOnlyWhenASecondPersonApproves()
    {
        var product = await LoanFlow.PricedProductAsync(api);
        var (borrower, accepted) = await LoanFlow.AcceptedAsync(api, product, amount: 1_000_001);
        var loanId = accepted.GetProperty("id").GetGuid();
        await LoanFlow.PayOutAsync(api);
        var failed = await LoanFlow.LoanAsync(borrower, loanId);
        Assert.Equal("disbursement_failed", failed.GetProperty("status").GetString());
        var first = Assert.Single((await (await borrower.GetAsync($"/v1/loans/{loanId}/payouts")).ReadJsonAsync()).GetProperty("items").EnumerateArray());
        Assert.Equal("ACCOUNT_INVALID", first.GetProperty("failureCode").GetString());
        Assert.Equal(0, await EntriesAsync(loanId));

        using var head = await api.CreateStaffWithRolesAsync("dept_head");
        using var admin = await api.CreateAdminClientAsync();
        using var officer = await api.CreateStaffWithRolesAsync("risk_officer");
        await (await officer.PostWithoutBodyAsync($"/v1/loans/{loanId}/payout-retries", Guid.NewGuid().ToString())).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await borrower.PostWithoutBodyAsync($"/v1/loans/{loanId}/payout-retries", Guid.NewGuid().ToString())).AssertProblemAsync(HttpStatusCode.Forbidden);
        var asked = await head.PostWithoutBodyAsync($"/v1/loans/{loanId}/payout-retries", Guid.NewGuid().ToString());
        await asked.AssertStatusAsync(HttpStatusCode.Created);
        var retry = await asked.ReadJsonAsync();
        Assert.Equal("awaiting_approval", retry.GetProperty("state").GetString());
        Assert.Equal(2, retry.GetProperty("attempt").GetInt32());
        await (await admin.PostWithoutBodyAsync($"/v1/loans/{loanId}/payout-retries", Guid.NewGuid().ToString())).AssertProblemAsync(HttpStatusCode.Conflict, "payout_retry_pending");

        // Nothing goes to the bank while the retry waits; its asker cannot approve it.
        Assert.Equal(0, await LoanFlow.PayOutAsync(api));
        await (await head.PostWithoutBodyAsync($"/v1/loans/{loanId}/payout-retries/approve", Guid.NewGuid().ToString()))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "four_eyes_same_person");
        var approved = await admin.PostWithoutBodyAsync($"/v1/loans/{loanId}/payout-retries/approve", Guid.NewGuid().ToString());
        await approved.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal("pending", (await approved.ReadJsonAsync()).GetProperty("state").GetString());
        Assert.Equal("pending_disbursement", (await LoanFlow.LoanAsync(borrower, loanId)).GetProperty("status").GetString());
        await (await admin.PostWithoutBodyAsync($"/v1/loans/{loanId}/payout-retries/approve", Guid.NewGuid().ToString()))
            .AssertProblemAsync(HttpStatusCode.Conflict, "payout_retry_not_pending");

        // The bank is asked again under the new attempt's number (the sandbox refuses this amount again).
        Assert.Equal(1, await LoanFlow.PayOutAsync(api));
        Assert.Equal("failed", await PayoutStateAsync(loanId, 2));
        Assert.Equal("disbursement_failed", (await LoanFlow.LoanAsync(borrower, loanId)).GetProperty("status").GetString());
        await using var db = await api.OpenDatabaseAsync();
        Assert.Equal(2, await db.ExecuteScalarAsync<int>(
            "SELECT COUNT(*) FROM audit_records WHERE entity_id = @id AND action LIKE 'loan.payout_retry_%'", new { id = loanId.ToString() }));
    }

    [Fact]
    public async Task APayoutTheBankFailsLaterLeavesTheLoanFailed()
    {
        var product = await LoanFlow.PricedProductAsync(api);
        var (borrower, accepted) = await LoanFlow.AcceptedAsync(api, product, amount: 1_000_003);
        var loanId = accepted.GetProperty("id").GetGuid();
        await LoanFlow.PayOutAsync(api);

        api.Clock.Advance(TimeSpan.FromSeconds(2));

        var loan = await LoanFlow.LoanLeavingAsync(borrower, loanId, "pending_disbursement");
        Assert.Equal("disbursement_failed", loan.GetProperty("status").GetString());
        Assert.Equal("ACCOUNT_FROZEN", await db(loanId));
        Assert.Equal(0, await EntriesAsync(loanId));

        async Task<string?> db(Guid id)
        {
            await using var conn = await api.OpenDatabaseAsync();
            return await conn.ExecuteScalarAsync<string>("SELECT failure_code FROM loan_payouts WHERE loan_id = @id", new { id });
        }
    }

    [Fact]
    public async Task CallbacksThatAreNotTheBanksAreRefused()
    {
        using var client = api.CreateClient();
        var body = """{"payout_no":"HL2026030200000001-1","state":"SUCCEEDED"}""";
        var unsigned = await client.PostAsync("/v1/webhooks/bank", new StringContent(body, Encoding.UTF8, "application/json"));
        await unsigned.AssertProblemAsync(HttpStatusCode.Unauthorized, "callback_signature_invalid");

        using var forged = new HttpRequestMessage(HttpMethod.Post, "/v1/webhooks/bank") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        forged.Headers.Add("X-Bank-Timestamp", api.Clock.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        forged.Headers.Add("X-Bank-Nonce", "n1");
        forged.Headers.Add("X-Bank-Signature", Convert.ToBase64String(new byte[32]));
        await (await client.SendAsync(forged)).AssertProblemAsync(HttpStatusCode.Unauthorized, "callback_signature_invalid");
    }

    private async Task<int> EntriesAsync(Guid loanId)
    {
        await using var db = await api.OpenDatabaseAsync();
        return await db.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM journal_entries WHERE loan_id = @loanId", new { loanId });
    }

    private async Task<string?> PayoutStateAsync(Guid loanId, int attempt)
    {
        await using var db = await api.OpenDatabaseAsync();
        return await db.ExecuteScalarAsync<string>("SELECT state FROM loan_payouts WHERE loan_id = @loanId AND attempt = @attempt", new { loanId, attempt });
    }

    private async Task WaitForCallbacksAsync(int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (api.Relay.Forwarded < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.True(api.Relay.Forwarded >= count, $"{api.Relay.Forwarded} callbacks arrived, {count} expected");
    }
}
