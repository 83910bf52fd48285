using System.Net;
using System.Text.Json;
using HeadlessLoan.Api.Tests.Infrastructure;
using HeadlessLoan.Api.Tests.Ledger;

namespace HeadlessLoan.Api.Tests.Loans;

/// <summary>A loan's journal entries as its borrower's app and a finance user read them (GET /v1/loans/{id}/transactions).</summary>
public sealed class LoanTransactionsTests(LoansFactory api) : IClassFixture<LoansFactory>
{
    [Fact]
    public async Task A_paid_out_loan_shows_its_disbursement_with_its_effect_and_lines()
    {
        var product = await LoanFlow.PricedProductAsync(api);
        var (borrower, loan) = await LoanFlow.ActiveAsync(api, product);
        var loanId = loan.GetProperty("id").GetGuid();

        var page = await PageAsync(borrower, $"/v1/loans/{loanId}/transactions");

        Assert.Equal(loanId, page.GetProperty("loanId").GetGuid());
        Assert.False(page.TryGetProperty("nextCursor", out var next) && next.ValueKind != JsonValueKind.Null);
        var entry = Assert.Single(page.GetProperty("items").EnumerateArray());
        Assert.Equal("disbursement", entry.GetProperty("kind").GetString());
        Assert.Equal(loan.GetProperty("disbursedOn").GetString(), entry.GetProperty("businessDate").GetString());
        Assert.Equal(1_000_000, entry.GetProperty("amount").GetInt64());
        Assert.Equal(api.Clock.GetUtcNow().UtcDateTime, entry.GetProperty("postedAt").GetDateTimeOffset().UtcDateTime, TimeSpan.FromSeconds(1));
        var effect = entry.GetProperty("effect");
        Assert.Equal((1_000_000L, 0L, 0L, 0L, 0L), (effect.GetProperty("principal").GetInt64(), effect.GetProperty("interest").GetInt64(),
            effect.GetProperty("penalty").GetInt64(), effect.GetProperty("fee").GetInt64(), effect.GetProperty("credit").GetInt64()));
        Assert.Equal(
            ["principal_receivable D 1000000", "payout_clearing C 1000000"],
            entry.GetProperty("lines").EnumerateArray().Select(l => l.GetProperty("debit").GetInt64() > 0
                ? $"{l.GetProperty("account").GetString()} D {l.GetProperty("debit").GetInt64()}"
                : $"{l.GetProperty("account").GetString()} C {l.GetProperty("credit").GetInt64()}"));

        // Staff read it too; a loan that was accepted but not paid out has no entries yet, and says so.
        using var officer = await api.CreateStaffWithRolesAsync("risk_officer");
        Assert.Single((await PageAsync(officer, $"/v1/loans/{loanId}/transactions")).GetProperty("items").EnumerateArray());
        var (waiting, accepted) = await LoanFlow.AcceptedAsync(api, product);
        Assert.Empty((await PageAsync(waiting, $"/v1/loans/{accepted.GetProperty("id").GetGuid()}/transactions")).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task A_thousand_entries_page_newest_first_each_once_and_their_effects_sum_to_the_balances()
    {
        using var borrower = await api.CreateBorrowerClientAsync();
        var loanId = await LoanFlow.LongLoanAsync(api, borrower);

        var seen = new List<JsonElement>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await PageAsync(borrower, $"/v1/loans/{loanId}/transactions?limit=100{(cursor is null ? "" : "&after=" + Uri.EscapeDataString(cursor))}");
            seen.AddRange(page.GetProperty("items").EnumerateArray());
            cursor = page.TryGetProperty("nextCursor", out var next) ? next.GetString() : null;
            pages++;
        }
        while (cursor is not null && pages < 20);

        Assert.Equal(10, pages);
        Assert.Equal(LongLoan.Entries, seen.Count);
        Assert.Equal(LongLoan.Entries, seen.Select(e => e.GetProperty("id").GetGuid()).Distinct().Count());
        // Newest first by posting time; entries posted together (a period's accrual, fee and repayment) by id, descending.
        var keys = seen.Select(e => (PostedAt: e.GetProperty("postedAt").GetDateTimeOffset(), Id: e.GetProperty("id").GetString()!)).ToList();
        Assert.Equal(keys.OrderByDescending(k => k.PostedAt).ThenByDescending(k => k.Id, StringComparer.Ordinal), keys);
        Assert.Equal("disbursement", seen[^1].GetProperty("kind").GetString());
        Assert.Equal(
            ["accrual", "fee", "repayment"],
            seen.Take(3).Select(e => e.GetProperty("kind").GetString()).Order(StringComparer.Ordinal));
        Assert.All(seen, e => Assert.Equal(e.GetProperty("amount").GetInt64(), e.GetProperty("lines").EnumerateArray().Sum(l => l.GetProperty("debit").GetInt64())));
        Assert.All(seen, e => Assert.Equal(e.GetProperty("amount").GetInt64(), e.GetProperty("lines").EnumerateArray().Sum(l => l.GetProperty("credit").GetInt64())));

        // A repayment settles what it paid; the effects of every entry are the loan's balances.
        var repayment = seen.First(e => e.GetProperty("kind").GetString() == "repayment");
        var settled = repayment.GetProperty("effect");
        Assert.Equal(repayment.GetProperty("amount").GetInt64(),
            -(settled.GetProperty("principal").GetInt64() + settled.GetProperty("interest").GetInt64() + settled.GetProperty("fee").GetInt64()));
        var loan = await LoanFlow.LoanAsync(borrower, loanId);
        foreach (var component in new[] { "principal", "interest", "penalty", "fee" })
        {
            Assert.Equal(loan.GetProperty("receivable").GetProperty(component).GetInt64(), seen.Sum(e => e.GetProperty("effect").GetProperty(component).GetInt64()));
        }

        Assert.Equal(loan.GetProperty("credit").GetInt64(), seen.Sum(e => e.GetProperty("effect").GetProperty("credit").GetInt64()));
        Assert.True(loan.GetProperty("receivable").GetProperty("principal").GetInt64() > 0);
        Assert.True((await api.ReconcileAsync()).Ok);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=101", "limit")]
    [InlineData("after=not-a-cursor", "after")]
    public async Task Bad_page_parameters_are_named(string query, string field)
    {
        // Checked before the loan is looked for (as the lists do): the answer says nothing about the loan.
        using var borrower = await api.CreateBorrowerClientAsync();

        var response = await borrower.GetAsync($"/v1/loans/{Guid.NewGuid()}/transactions?{query}");

        Assert.Equal([field], (await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed")).ErrorFields());
    }

    private static async Task<JsonElement> PageAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        await response.AssertStatusAsync(HttpStatusCode.OK);
        return await response.ReadJsonAsync();
    }
}
