using System.Globalization;
using System.Net;
using HeadlessLoan.Api.Tests.CloseOfBusiness;
using HeadlessLoan.Api.Tests.Infrastructure;
using HeadlessLoan.Api.Tests.Ledger;
using HeadlessLoan.Api.Tests.Loans;
using static HeadlessLoan.Api.Tests.Repayments.RepaymentFlow;

namespace HeadlessLoan.Api.Tests.Repayments;

/// <summary>A written-off loan repaid through WeChat Pay: the borrower is asked for what is still to recover, and what they pay is a recovery.</summary>
public sealed class RecoveryTests(RepaymentsFactory api) : IClassFixture<RepaymentsFactory>
{
    private readonly BusinessDays _days = new(api);

    [Fact]
    public async Task ABorrowerRepaysAWrittenOffLoanThroughWeChatPayAndItIsPostedAsARecovery()
    {
        await _days.CloseAsync();
        var code = "code_" + Guid.NewGuid().ToString("N");
        var product = await LoanFlow.PricedProductAsync(api);
        var (_, loan) = await LoanFlow.ActiveAsync(api, product, amount: 500_000, borrower: await api.CreateBorrowerClientAsync(code));
        var loanId = loan.GetProperty("id").GetGuid();
        var firstDue = DateOnly.Parse(loan.GetProperty("nextDue").GetProperty("dueDate").GetString()!, CultureInfo.InvariantCulture);
        await _days.WalkToAsync(firstDue.AddDays(2));
        var writtenOff = await WriteOffAsync(loanId);

        using var borrower = await api.CreateBorrowerClientAsync(code); // the same borrower, signed in again after the walk
        var tooMuch = await RepayAsync(borrower, loanId, "amount", writtenOff + 1);
        await tooMuch.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "amount_above_payoff");
        var part = await OrderAsync(borrower, loanId, "amount", 20_000);
        await NotifiedAsync(api, borrower, loanId, part.GetProperty("order").GetProperty("outTradeNo").GetString()!);
        var rest = await OrderAsync(borrower, loanId, "overdue");
        Assert.Equal(writtenOff - 20_000, rest.GetProperty("order").GetProperty("amount").GetInt64());
        var paid = await NotifiedAsync(api, borrower, loanId, rest.GetProperty("order").GetProperty("outTradeNo").GetString()!);
        Assert.Equal("paid", paid.GetProperty("status").GetString());

        var after = await LoanFlow.LoanAsync(borrower, loanId);
        Assert.Equal(("written_off", 0L), (after.GetProperty("status").GetString(), after.GetProperty("credit").GetInt64()));
        await (await RepayAsync(borrower, loanId, "payoff")).AssertProblemAsync(HttpStatusCode.Conflict, "nothing_owed");
        Assert.Equal(2, await EntriesAsync(api, loanId, "recovery"));
        var proof = await api.ReconcileAsync();
        Assert.True(proof.Ok, string.Join("; ", proof.ScheduleMismatches.Select(m => $"{m.Component} {m.Schedule} vs {m.Ledger}")));
    }

    [Fact]
    public async Task ARepaymentApprovedWhileTheWriteOffIsApprovedIsNeverRefusedAndTheBooksHoldWhicheverWins()
    {
        await _days.CloseAsync();
        var product = await LoanFlow.PricedProductAsync(api);
        var loans = new List<(Guid LoanId, DateOnly FirstDue)>();
        for (var i = 0; i < 3; i++)
        {
            var (_, loan) = await LoanFlow.ActiveAsync(api, product, amount: 500_000);
            loans.Add((loan.GetProperty("id").GetGuid(), DateOnly.Parse(loan.GetProperty("nextDue").GetProperty("dueDate").GetString()!, CultureInfo.InvariantCulture)));
        }

        await _days.WalkToAsync(loans.Max(l => l.FirstDue).AddDays(2));
        foreach (var (loanId, _) in loans)
        {
            var proposal = await ProposeAsync(loanId);
            var repayment = await _days.RecordOfflineAsync(loanId, 10_000);
            using var admin = await api.CreateAdminClientAsync();
            using var approver = await api.CreateStaffWithRolesAsync("dept_head");
            var writeOff = admin.PostWithoutBodyAsync($"/v1/write-offs/{proposal}/approve", Guid.NewGuid().ToString());
            var paid = approver.PostWithKeyAsync($"/v1/loans/{loanId}/offline-repayments/{repayment}/approve", new { }, Guid.NewGuid().ToString());
            await (await paid).AssertStatusAsync(HttpStatusCode.OK);
            await (await writeOff).AssertStatusAsync(HttpStatusCode.OK);

            // Whichever committed first, the loan is written off, owes what it owed less the payment, and the books hold.
            var after = await _days.LoanAsync(loanId);
            Assert.Equal("written_off", after.GetProperty("status").GetString());
            var state = after.GetProperty("writeOff");
            Assert.Equal(state.GetProperty("writtenOff").GetProperty("total").GetInt64() - state.GetProperty("recovered").GetInt64(), state.GetProperty("stillOwed").GetInt64());
            Assert.True(state.GetProperty("recovered").GetInt64() is 0 or 10_000);
        }

        var proof = await api.ReconcileAsync();
        Assert.True(proof.Ok, string.Join("; ", proof.ScheduleMismatches.Select(m => $"{m.Component} {m.Schedule} vs {m.Ledger}")));
    }

    /// <summary>Classified loss by two department heads, put on a work order and proposed by one; returns the proposal.</summary>
    private async Task<Guid> ProposeAsync(Guid loanId)
    {
        await _days.ClassifyAsync(loanId, "loss");
        using var head = await api.CreateStaffWithRolesAsync("dept_head");
        var opened = await head.PostWithKeyAsync("/v1/collection-work-orders", new { loanId }, Guid.NewGuid().ToString());
        await opened.AssertStatusAsync(HttpStatusCode.Created);
        var orderId = (await opened.ReadJsonAsync()).GetProperty("order").GetProperty("id").GetGuid();
        var proposed = await head.PostWithKeyAsync($"/v1/collection-work-orders/{orderId}/write-off", new { reason = "Borrower untraceable" }, Guid.NewGuid().ToString());
        await proposed.AssertStatusAsync(HttpStatusCode.Created);
        return (await proposed.ReadJsonAsync()).GetProperty("id").GetGuid();
    }

    /// <summary>Proposed (<see cref="ProposeAsync"/>) and approved by an admin; returns what was written off.</summary>
    private async Task<long> WriteOffAsync(Guid loanId)
    {
        var proposal = await ProposeAsync(loanId);
        using var admin = await api.CreateAdminClientAsync();
        var approved = await admin.PostWithoutBodyAsync($"/v1/write-offs/{proposal}/approve", Guid.NewGuid().ToString());
        await approved.AssertStatusAsync(HttpStatusCode.OK);
        return (await approved.ReadJsonAsync()).GetProperty("writtenOff").GetProperty("total").GetInt64();
    }
}
