using System.Globalization;
using System.Net;
using HeadlessLoan.Api.Tests.Infrastructure;
using HeadlessLoan.Api.Tests.Ledger;
using HeadlessLoan.Api.Tests.Loans;
using HeadlessLoan.Domain.Ledger;
using static HeadlessLoan.Api.Tests.Repayments.RepaymentFlow;

namespace HeadlessLoan.Api.Tests.Repayments;

/// <summary>Repayments received outside WeChat Pay: recorded by one supervisor, applied only when a second approves.</summary>
public sealed class OfflineRepaymentTests(LoansFactory api) : IClassFixture<LoansFactory>
{
    private string Today => api.Clock.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    [Fact]
    public async Task ARecordedTransferIsAppliedOnlyOnceASecondPersonApprovesIt()
    {
        var product = await LoanFlow.PricedProductAsync(api);
        var (borrower, loan) = await LoanFlow.ActiveAsync(api, product);
        var loanId = loan.GetProperty("id").GetGuid();
        var nextDue = loan.GetProperty("nextDue").GetProperty("amount").GetInt64();
        using var clerk = await api.CreateStaffWithRolesAsync("dept_head");
        using var approver = await api.CreateStaffWithRolesAsync("dept_head");

        var recorded = await clerk.PostWithKeyAsync($"/v1/loans/{loanId}/offline-repayments",
            new { amount = nextDue, receivedOn = Today, reference = "BANK-0001", note = "转账" }, Guid.NewGuid().ToString());

        await recorded.AssertStatusAsync(HttpStatusCode.Created);
        var id = (await recorded.ReadJsonAsync()).GetProperty("id").GetGuid();
        Assert.All(await PaidPerPeriodAsync(borrower, loanId), p => Assert.Equal(0, p));
        await (await clerk.PostWithKeyAsync($"/v1/loans/{loanId}/offline-repayments/{id}/approve", new { }, Guid.NewGuid().ToString()))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "four_eyes_same_person");
        var duplicate = await clerk.PostWithKeyAsync($"/v1/loans/{loanId}/offline-repayments",
            new { amount = nextDue, receivedOn = Today, reference = "BANK-0001" }, Guid.NewGuid().ToString());
        await duplicate.AssertProblemAsync(HttpStatusCode.Conflict, "offline_repayment_duplicate");

        var approved = await approver.PostWithKeyAsync($"/v1/loans/{loanId}/offline-repayments/{id}/approve", new { }, Guid.NewGuid().ToString());

        await approved.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal("applied", (await approved.ReadJsonAsync()).GetProperty("status").GetString());
        Assert.Equal(nextDue, (await PaidPerPeriodAsync(borrower, loanId))[0]);
        var again = await approver.PostWithKeyAsync($"/v1/loans/{loanId}/offline-repayments/{id}/approve", new { }, Guid.NewGuid().ToString());
        await again.AssertProblemAsync(HttpStatusCode.Conflict, "offline_repayment_not_pending");
        Assert.Equal(1, await EntriesAsync(api, loanId, EntryKinds.Repayment));
        Assert.True((await api.ReconcileAsync()).Ok);
    }

    [Fact]
    public async Task ARejectedTransferAppliesNothingAndBadRecordsAreRefused()
    {
        var product = await LoanFlow.PricedProductAsync(api);
        var (_, loan) = await LoanFlow.ActiveAsync(api, product);
        var loanId = loan.GetProperty("id").GetGuid();
        using var clerk = await api.CreateStaffWithRolesAsync("dept_head");
        using var officer = await api.CreateStaffWithRolesAsync("loan_officer");

        var recorded = await (await clerk.PostWithKeyAsync($"/v1/loans/{loanId}/offline-repayments",
            new { amount = 5_000, receivedOn = Today, reference = "BANK-0002" }, Guid.NewGuid().ToString())).ReadJsonAsync();
        var id = recorded.GetProperty("id").GetGuid();
        var rejected = await clerk.PostWithKeyAsync($"/v1/loans/{loanId}/offline-repayments/{id}/reject", new { }, Guid.NewGuid().ToString());

        await rejected.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal("rejected", (await rejected.ReadJsonAsync()).GetProperty("status").GetString());
        Assert.Equal(0, await EntriesAsync(api, loanId, EntryKinds.Repayment));
        var listed = await (await clerk.GetAsync($"/v1/loans/{loanId}/offline-repayments")).ReadJsonAsync();
        Assert.Equal("rejected", Assert.Single(listed.GetProperty("items").EnumerateArray()).GetProperty("status").GetString());

        var tomorrow = api.Clock.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var fields = (await (await clerk.PostWithKeyAsync($"/v1/loans/{loanId}/offline-repayments",
                new { amount = 0, receivedOn = tomorrow, reference = "" }, Guid.NewGuid().ToString()))
            .AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed")).ErrorFields();
        Assert.Equal(["amount", "receivedOn", "reference"], fields.Order(StringComparer.Ordinal));
        await (await officer.PostWithKeyAsync($"/v1/loans/{loanId}/offline-repayments",
            new { amount = 100, receivedOn = Today, reference = "BANK-0003" }, Guid.NewGuid().ToString())).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await clerk.PostWithKeyAsync($"/v1/loans/{Guid.NewGuid()}/offline-repayments",
            new { amount = 100, receivedOn = Today, reference = "BANK-0004" }, Guid.NewGuid().ToString())).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ALoanNotPaidOutTakesNoRepayment()
    {
        var product = await LoanFlow.PricedProductAsync(api);
        var (_, accepted) = await LoanFlow.AcceptedAsync(api, product);
        using var clerk = await api.CreateStaffWithRolesAsync("dept_head");

        var refused = await clerk.PostWithKeyAsync($"/v1/loans/{accepted.GetProperty("id").GetGuid()}/offline-repayments",
            new { amount = 100, receivedOn = Today, reference = "BANK-0005" }, Guid.NewGuid().ToString());

        await refused.AssertProblemAsync(HttpStatusCode.Conflict, "loan_not_disbursed");
    }
}
