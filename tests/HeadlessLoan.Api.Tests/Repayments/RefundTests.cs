using System.Net;
using System.Text.Json;
using HeadlessLoan.Api.Tests.Infrastructure;
using HeadlessLoan.Api.Tests.Ledger;
using HeadlessLoan.Api.Tests.Loans;
using HeadlessLoan.Domain.Ledger;
using static HeadlessLoan.Api.Tests.Repayments.RepaymentFlow;

namespace HeadlessLoan.Api.Tests.Repayments;

/// <summary>Refunds of credit through the sandbox's WeChat Pay (a refund of 909 fen ends ABNORMAL, of 908 CLOSED, any other SUCCESS).</summary>
public sealed class RefundTests(RepaymentsFactory api) : IClassFixture<RepaymentsFactory>
{
    [Fact]
    public async Task ApprovedByASecondPersonACreditIsRefundedOnceAndTheBooksFollow()
    {
        var (borrower, loanId) = await LoanWithCreditAsync(5_000);
        using var asker = await api.CreateStaffWithRolesAsync("dept_head");
        using var approver = await api.CreateStaffWithRolesAsync("dept_head");

        var asked = await AskAsync(asker, loanId, 3_000);
        await asked.AssertStatusAsync(HttpStatusCode.Created);
        var refundId = (await asked.ReadJsonAsync()).GetProperty("id").GetGuid();
        await (await DecideAsync(asker, loanId, refundId, "approve")).AssertProblemAsync(HttpStatusCode.Forbidden, "four_eyes_same_person");
        await (await AskAsync(asker, loanId, 5_001)).AssertProblemAsync(HttpStatusCode.Conflict, "refund_above_credit");

        var approved = await DecideAsync(approver, loanId, refundId, "approve");

        await approved.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal("approved", (await approved.ReadJsonAsync()).GetProperty("status").GetString());
        Assert.Equal(2_000, (await LoanFlow.LoanAsync(borrower, loanId)).GetProperty("credit").GetInt64());
        await ReconcileOrdersAsync(api); // Sends it: WeChat Pay accepts it (PROCESSING).
        Assert.Equal("processing", (await RefundLeavingAsync(asker, loanId, refundId, "approved")).GetProperty("status").GetString());
        api.Clock.Advance(TimeSpan.FromSeconds(1)); // The sandbox's REFUND.SUCCESS notification goes.
        var refund = await RefundLeavingAsync(asker, loanId, refundId, "processing");
        Assert.Equal("succeeded", refund.GetProperty("status").GetString());
        Assert.StartsWith("503", refund.GetProperty("refundId").GetString(), StringComparison.Ordinal);
        await (await DecideAsync(approver, loanId, refundId, "approve")).AssertProblemAsync(HttpStatusCode.Conflict, "refund_not_pending");

        // The job asking about it later changes nothing more.
        api.Clock.Advance(TimeSpan.FromSeconds(RepaymentsFactory.QueryAfterSeconds + 1));
        await ReconcileOrdersAsync(api);
        Assert.Equal(1, await EntriesAsync(api, loanId, EntryKinds.Refund));
        Assert.Equal(1, await EntriesAsync(api, loanId, EntryKinds.RefundPaid));
        Assert.Equal(2_000, (await LoanFlow.LoanAsync(borrower, loanId)).GetProperty("credit").GetInt64());
        Assert.True((await api.ReconcileAsync()).Ok);
    }

    [Fact]
    public async Task ARefundWeChatPayCannotPayIntoTheAccountWaitsAsAbnormalWithTheCreditSetAside()
    {
        var (borrower, loanId) = await LoanWithCreditAsync(2_000);
        using var asker = await api.CreateStaffWithRolesAsync("admin");
        using var approver = await api.CreateStaffWithRolesAsync("dept_head");
        var refundId = (await (await AskAsync(asker, loanId, 909)).ReadJsonAsync()).GetProperty("id").GetGuid();

        await (await DecideAsync(approver, loanId, refundId, "approve")).AssertStatusAsync(HttpStatusCode.OK);
        await ReconcileOrdersAsync(api); // Sent.
        api.Clock.Advance(TimeSpan.FromSeconds(RepaymentsFactory.QueryAfterSeconds + 1));
        await ReconcileOrdersAsync(api); // Asked about.

        var refund = await RefundLeavingAsync(asker, loanId, refundId, "processing");
        Assert.Equal("abnormal", refund.GetProperty("status").GetString());
        Assert.Equal(2_000 - 909, (await LoanFlow.LoanAsync(borrower, loanId)).GetProperty("credit").GetInt64());
        Assert.Equal(0, await EntriesAsync(api, loanId, EntryKinds.RefundPaid));
        Assert.True((await api.ReconcileAsync()).Ok);
    }

    [Fact]
    public async Task ARefundWeChatPayClosesGivesTheCreditBackByReversingWhatWasSetAside()
    {
        var (borrower, loanId) = await LoanWithCreditAsync(1_500);
        using var asker = await api.CreateStaffWithRolesAsync("dept_head");
        using var approver = await api.CreateStaffWithRolesAsync("admin");
        var refundId = (await (await AskAsync(asker, loanId, 908)).ReadJsonAsync()).GetProperty("id").GetGuid();
        await (await DecideAsync(approver, loanId, refundId, "approve")).AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal(1_500 - 908, (await LoanFlow.LoanAsync(borrower, loanId)).GetProperty("credit").GetInt64());

        await ReconcileOrdersAsync(api); // Sent: WeChat Pay accepts it (PROCESSING), then gives it up.
        api.Clock.Advance(TimeSpan.FromSeconds(1)); // The REFUND.CLOSED notification goes.

        var refund = await RefundLeavingAsync(asker, loanId, refundId, "processing");
        Assert.Equal("closed", refund.GetProperty("status").GetString());
        Assert.Equal(1_500, (await LoanFlow.LoanAsync(borrower, loanId)).GetProperty("credit").GetInt64());
        Assert.Equal(1, await EntriesAsync(api, loanId, EntryKinds.Reversal));
        Assert.Equal(0, await EntriesAsync(api, loanId, EntryKinds.RefundPaid));
        Assert.True((await api.ReconcileAsync()).Ok);
    }

    [Fact]
    public async Task ARejectedRefundMovesNothingAndRefundsNeedAPaymentToGoBackThrough()
    {
        var (borrower, loanId) = await LoanWithCreditAsync(1_000);
        using var asker = await api.CreateStaffWithRolesAsync("dept_head");
        using var officer = await api.CreateStaffWithRolesAsync("loan_officer");
        var refundId = (await (await AskAsync(asker, loanId, 500)).ReadJsonAsync()).GetProperty("id").GetGuid();

        var rejected = await DecideAsync(asker, loanId, refundId, "reject");

        await rejected.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal("rejected", (await rejected.ReadJsonAsync()).GetProperty("status").GetString());
        Assert.Equal(1_000, (await LoanFlow.LoanAsync(borrower, loanId)).GetProperty("credit").GetInt64());
        Assert.Equal(0, await EntriesAsync(api, loanId, EntryKinds.Refund));
        await (await asker.PostWithKeyAsync($"/v1/loans/{loanId}/refunds", new { amount = 500, reason = "x", paymentOrderId = Guid.NewGuid() },
            Guid.NewGuid().ToString())).AssertProblemAsync(HttpStatusCode.Conflict, "refund_no_payment");
        await (await AskAsync(officer, loanId, 500)).AssertProblemAsync(HttpStatusCode.Forbidden);
        var listed = await (await asker.GetAsync($"/v1/loans/{loanId}/refunds")).ReadJsonAsync();
        Assert.Equal("rejected", Assert.Single(listed.GetProperty("items").EnumerateArray()).GetProperty("status").GetString());
    }

    /// <summary>An active loan whose first installment and <paramref name="credit"/> fen more were paid through WeChat Pay.</summary>
    private async Task<(HttpClient Borrower, Guid LoanId)> LoanWithCreditAsync(long credit)
    {
        var product = await LoanFlow.PricedProductAsync(api);
        var (borrower, loan) = await LoanFlow.ActiveAsync(api, product);
        var loanId = loan.GetProperty("id").GetGuid();
        var amount = loan.GetProperty("nextDue").GetProperty("amount").GetInt64() + credit;
        var outTradeNo = (await OrderAsync(borrower, loanId, "amount", amount)).GetProperty("order").GetProperty("outTradeNo").GetString()!;
        Assert.Equal("paid", (await NotifiedAsync(api, borrower, loanId, outTradeNo)).GetProperty("status").GetString());
        Assert.Equal(credit, (await LoanFlow.LoanAsync(borrower, loanId)).GetProperty("credit").GetInt64());
        return (borrower, loanId);
    }

    private static Task<HttpResponseMessage> AskAsync(HttpClient staff, Guid loanId, long amount) =>
        staff.PostWithKeyAsync($"/v1/loans/{loanId}/refunds", new { amount, reason = "多付退回" }, Guid.NewGuid().ToString());

    private static Task<HttpResponseMessage> DecideAsync(HttpClient staff, Guid loanId, Guid refundId, string decision) =>
        staff.PostWithKeyAsync($"/v1/loans/{loanId}/refunds/{refundId}/{decision}", new { }, Guid.NewGuid().ToString());

    private static async Task<JsonElement> RefundLeavingAsync(HttpClient staff, Guid loanId, Guid refundId, string status)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var list = await (await staff.GetAsync($"/v1/loans/{loanId}/refunds")).ReadJsonAsync();
            var refund = list.GetProperty("items").EnumerateArray().Single(r => r.GetProperty("id").GetGuid() == refundId);
            if (refund.GetProperty("status").GetString() != status || DateTime.UtcNow > deadline)
            {
                return refund.Clone();
            }

            await Task.Delay(100);
        }
    }
}
