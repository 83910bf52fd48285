using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HeadlessLoan.Api.Tests.Infrastructure;
using HeadlessLoan.Api.Tests.Ledger;
using HeadlessLoan.Api.Tests.Loans;
using HeadlessLoan.Domain.Ledger;
using static HeadlessLoan.Api.Tests.Repayments.RepaymentFlow;

namespace HeadlessLoan.Api.Tests.Repayments;

/// <summary>
/// A product's payment rules at work: the allocation order a repayment follows, and what becomes of what it leaves over
/// (credit, or principal prepaid with the schedule regenerated). Money arrives as approved offline repayments, the
/// same <c>LoanPayments.ApplyAsync</c> a WeChat Pay payment goes through.
/// </summary>
public sealed class AllocationSettingsTests(LoansFactory api) : IClassFixture<LoansFactory>
{
    private string Today => api.Clock.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    [Fact]
    public async Task AnInterestFirstProductPaysInterestBeforeTheFeeWhereTheStandardOrderPaysTheFeeFirst()
    {
        var standard = await LoanFlow.PricedProductAsync(api);
        var interestFirst = await LoanFlow.PricedProductAsync(api, configure: p => p["allocationOrder"] = "interest_principal_penalty_fee");
        var (borrowerA, loanA) = await LoanFlow.ActiveAsync(api, standard);
        var (borrowerB, loanB) = await LoanFlow.ActiveAsync(api, interestFirst);
        // The product changes after the loan is made: the loan keeps the rules of the version it was made under.
        using (var admin = await api.CreateAdminClientAsync())
        {
            var changed = await admin.PutAsJsonAsync($"/v1/products/{interestFirst}", LoanFlow.PricedProduct());
            await changed.AssertStatusAsync(HttpStatusCode.OK);
            Assert.Equal("penalty_fee_interest_principal", (await changed.ReadJsonAsync()).GetProperty("allocationOrder").GetString());
        }

        var (idA, idB) = (loanA.GetProperty("id").GetGuid(), loanB.GetProperty("id").GetGuid());
        var firstA = (await PeriodsAsync(borrowerA, idA))[0];
        var firstB = (await PeriodsAsync(borrowerB, idB))[0];
        var (interestA, feeA) = (Amount(firstA, "due", "interest"), Amount(firstA, "due", "fee"));
        var (interestB, feeB) = (Amount(firstB, "due", "interest"), Amount(firstB, "due", "fee"));
        Assert.True(interestA > feeA && feeA > 0 && interestB > feeB && feeB > 0, "each first period owes interest and a smaller fee");

        // As much as the first period's interest, paid early: not enough for its installment.
        await PayOfflineAsync(idA, interestA);
        await PayOfflineAsync(idB, interestB);

        var paidA = (await PeriodsAsync(borrowerA, idA))[0];
        var paidB = (await PeriodsAsync(borrowerB, idB))[0];
        Assert.Equal((feeA, interestA - feeA, 0L), (Amount(paidA, "paid", "fee"), Amount(paidA, "paid", "interest"), Amount(paidA, "paid", "principal")));
        Assert.Equal((0L, interestB, 0L), (Amount(paidB, "paid", "fee"), Amount(paidB, "paid", "interest"), Amount(paidB, "paid", "principal")));
        var proof = await api.ReconcileAsync();
        Assert.True(proof.Ok, $"unbalanced {string.Join(",", proof.UnbalancedEntries)}; mismatches {string.Join(",", proof.SnapshotMismatches)}");
    }

    [Theory]
    [InlineData("credit", "lower_installment")]
    [InlineData("prepay", "lower_installment")]
    [InlineData("prepay", "shorten_term")]
    public async Task WhatARepaymentLeavesOverIsCreditOrPrepaysPrincipalAsTheProductSays(string overpayment, string prepayment)
    {
        var product = await LoanFlow.PricedProductAsync(api, configure: p => (p["overpayment"], p["prepayment"]) = (overpayment, prepayment));
        var (borrower, loan) = await LoanFlow.ActiveAsync(api, product);
        var loanId = loan.GetProperty("id").GetGuid();
        var principal = loan.GetProperty("principal").GetInt64();
        var before = await PeriodsAsync(borrower, loanId);
        var nextDue = loan.GetProperty("nextDue").GetProperty("amount").GetInt64();
        const long extra = 300_000;

        await PayOfflineAsync(loanId, nextDue + extra);

        var after = await PeriodsAsync(borrower, loanId);
        var read = await LoanFlow.LoanAsync(borrower, loanId);
        Assert.Equal("paid", after[0].GetProperty("status").GetString());
        Assert.Equal(principal, after.Sum(p => Amount(p, "due", "principal")));
        Assert.Equal(Enumerable.Range(1, after.Length), after.Select(p => p.GetProperty("period").GetInt32()));
        Assert.Equal(after[^1].GetProperty("dueDate").GetString(), read.GetProperty("maturityDate").GetString());
        var unpaid = principal - Amount(before[0], "due", "principal") - (overpayment == "prepay" ? extra : 0);
        Assert.Equal(unpaid, read.GetProperty("scheduledUnpaid").GetProperty("principal").GetInt64());
        Assert.Equal(unpaid, read.GetProperty("receivable").GetProperty("principal").GetInt64());
        Assert.Equal(overpayment == "prepay" ? 0 : extra, read.GetProperty("credit").GetInt64());
        Assert.Equal(1, await EntriesAsync(api, loanId, EntryKinds.Repayment));
        var proof = await api.ReconcileAsync();
        Assert.True(proof.Ok, $"unbalanced {string.Join(",", proof.UnbalancedEntries)}; mismatches {string.Join(",", proof.SnapshotMismatches)}");

        // Installments after the next one, principal and interest (the prepaid principal is recorded on the next one).
        var installments = after.Skip(2).Select(Installment).ToArray();
        var old = before.Skip(2).Select(Installment).ToArray();
        switch (overpayment, prepayment)
        {
            case ("credit", _):
                Assert.Equal(before.Skip(1).Select(p => p.GetProperty("due").ToString()), after.Skip(1).Select(p => p.GetProperty("due").ToString()));
                break;
            case (_, "lower_installment"):
                Assert.Equal(before.Length, after.Length);
                Assert.Equal(before.Select(p => p.GetProperty("dueDate").GetString()), after.Select(p => p.GetProperty("dueDate").GetString()));
                Assert.All(installments.Zip(old), pair => Assert.True(pair.First < pair.Second, $"{pair.First} is not below {pair.Second}"));
                Assert.Equal(extra, Amount(after[1], "paid", "principal"));
                break;
            default:
                Assert.InRange(after.Length, 3, before.Length - 1);
                Assert.Equal(before.Take(after.Length).Select(p => p.GetProperty("dueDate").GetString()), after.Select(p => p.GetProperty("dueDate").GetString()));
                Assert.All(installments.Zip(old), pair => Assert.True(pair.First <= pair.Second, $"{pair.First} is above {pair.Second}"));
                Assert.Equal(after.Length * Amount(before[0], "due", "fee"), after.Sum(p => Amount(p, "due", "fee")));
                break;
        }
    }

    private async Task PayOfflineAsync(Guid loanId, long amount)
    {
        using var clerk = await api.CreateStaffWithRolesAsync("dept_head");
        using var approver = await api.CreateStaffWithRolesAsync("dept_head");
        var recorded = await clerk.PostWithKeyAsync($"/v1/loans/{loanId}/offline-repayments",
            new { amount, receivedOn = Today, reference = "BANK-" + Guid.NewGuid().ToString("N")[..12] }, Guid.NewGuid().ToString());
        await recorded.AssertStatusAsync(HttpStatusCode.Created);
        var id = (await recorded.ReadJsonAsync()).GetProperty("id").GetGuid();

        var approved = await approver.PostWithKeyAsync($"/v1/loans/{loanId}/offline-repayments/{id}/approve", new { }, Guid.NewGuid().ToString());

        await approved.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal("applied", (await approved.ReadJsonAsync()).GetProperty("status").GetString());
    }

    private static async Task<JsonElement[]> PeriodsAsync(HttpClient client, Guid loanId)
    {
        var response = await client.GetAsync($"/v1/loans/{loanId}/schedule");
        await response.AssertStatusAsync(HttpStatusCode.OK);
        return [.. (await response.ReadJsonAsync()).GetProperty("periods").EnumerateArray()];
    }

    private static long Amount(JsonElement period, string which, string component) => period.GetProperty(which).GetProperty(component).GetInt64();

    private static long Installment(JsonElement period) => Amount(period, "due", "principal") + Amount(period, "due", "interest");
}
