using System.Net;
using HeadlessLoan.Api.Tests.Decisions;
using HeadlessLoan.Api.Tests.Infrastructure;
using HeadlessLoan.Api.Tests.Loans;

namespace HeadlessLoan.Api.Tests.CreditLines;

/// <summary>Credit lines over HTTP: set by the first accepted approval, read by the borrower and staff, moved by versioned rules.</summary>
public sealed class CreditLineTests(LoansFactory api) : IClassFixture<LoansFactory>
{
    [Fact]
    public async Task TheFirstAcceptedApprovalSetsTheLineAndALaterOneDoesNotSetItAgain()
    {
        var version = await DefaultRulesAsync();
        var product = await LoanFlow.PricedProductAsync(api);
        var (borrower, loan) = await LoanFlow.AcceptedAsync(api, product, amount: 1_234_567);
        var loanId = loan.GetProperty("id").GetGuid();

        var line = await (await borrower.GetAsync("/v1/borrowers/me/credit-line")).ReadJsonAsync();

        // The approved amount, rounded down to 100 yuan; all of it used by the loan waiting for its payout.
        Assert.Equal((1_230_000L, 1_234_567L, 0L, version), (line.GetProperty("limit").GetInt64(), line.GetProperty("used").GetInt64(),
            line.GetProperty("available").GetInt64(), line.GetProperty("rulesVersion").GetInt32()));
        var change = Assert.Single(line.GetProperty("changes").EnumerateArray());
        Assert.Equal(("first_approval", 1_230_000L, loanId), (change.GetProperty("reason").GetString(), change.GetProperty("toLimit").GetInt64(), change.GetProperty("loanId").GetGuid()));
        var borrowerId = loan.GetProperty("borrowerId").GetGuid();
        using var officer = await api.CreateStaffWithRolesAsync("loan_officer");
        Assert.Equal(1_230_000, (await (await officer.GetAsync($"/v1/borrowers/{borrowerId}/credit-line")).ReadJsonAsync()).GetProperty("limit").GetInt64());
        await using (var db = await api.OpenDatabaseAsync())
        {
            Assert.Equal(1, await Dapper.SqlMapper.ExecuteScalarAsync<int>(db,
                "SELECT COUNT(*) FROM audit_records WHERE entity_id = @id AND action = 'credit_line.first_approval'", new { id = borrowerId.ToString() }));
        }

        using var stranger = await api.CreateBorrowerClientAsync();
        await (await stranger.GetAsync("/v1/borrowers/me/credit-line")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await stranger.GetAsync($"/v1/borrowers/{borrowerId}/credit-line")).AssertProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task ThreeInstallmentsPaidOnTimeRaiseTheLineByAFifth()
    {
        await DefaultRulesAsync();
        var product = await LoanFlow.PricedProductAsync(api);
        var (borrower, loan) = await LoanFlow.ActiveAsync(api, product, amount: 1_000_000);
        var loanId = loan.GetProperty("id").GetGuid();
        using var clerk = await api.CreateStaffWithRolesAsync("dept_head");
        using var approver = await api.CreateStaffWithRolesAsync("dept_head");
        var today = api.Clock.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        for (var i = 1; i <= 3; i++)
        {
            var nextDue = (await LoanFlow.LoanAsync(borrower, loanId)).GetProperty("nextDue").GetProperty("amount").GetInt64();
            var recorded = await (await clerk.PostWithKeyAsync($"/v1/loans/{loanId}/offline-repayments",
                new { amount = nextDue, receivedOn = today, reference = "ON-TIME-" + i }, Guid.NewGuid().ToString())).ReadJsonAsync();
            await (await approver.PostWithKeyAsync($"/v1/loans/{loanId}/offline-repayments/{recorded.GetProperty("id").GetGuid()}/approve", new { },
                Guid.NewGuid().ToString())).AssertStatusAsync(HttpStatusCode.OK);
            var line = await (await borrower.GetAsync("/v1/borrowers/me/credit-line")).ReadJsonAsync();
            Assert.Equal(i < 3 ? (1_000_000L, i) : (1_200_000L, 0), (line.GetProperty("limit").GetInt64(), line.GetProperty("onTimeStreak").GetInt32()));
        }

        var changes = (await (await borrower.GetAsync("/v1/borrowers/me/credit-line")).ReadJsonAsync()).GetProperty("changes").EnumerateArray().ToList();
        Assert.Equal(["on_time_streak", "first_approval"], changes.Select(c => c.GetProperty("reason").GetString()));
        Assert.Equal(1_000_000, changes[0].GetProperty("fromLimit").GetInt64());
    }

    [Fact]
    public async Task AReturningBorrowersApplicationWithinTheFreeLineIsFastTrackedPastTheProductsAutomaticLimit()
    {
        using var admin = await api.CreateAdminClientAsync();
        await (await admin.PutWithKeyAsync("/v1/credit-line-rules",
            new { initialFactor = 3m, raiseAfterOnTime = 3, raiseShare = 0.2m, cutShare = 0.5m, maxLimit = 5_000_000L, note = "Three times the first loan" },
            Guid.NewGuid().ToString())).AssertStatusAsync(HttpStatusCode.OK);
        var product = await LoanFlow.PricedProductAsync(api, configure: p => p["autoApprovalLimit"] = 500_000L);
        var (borrower, loan) = await LoanFlow.ActiveAsync(api, product, amount: 500_000);
        var line = await (await borrower.GetAsync("/v1/borrowers/me/credit-line")).ReadJsonAsync();
        Assert.Equal((1_500_000L, 1_000_000L), (line.GetProperty("limit").GetInt64(), line.GetProperty("available").GetInt64()));

        // Twice the product's automatic limit, exactly what is free: approved without people.
        Assert.Equal(("approved", "within_credit_line"), await DecidedAsync(borrower, product, 1_000_000));
        // A hundred yuan more than is free: people decide it, for the product's limit.
        Assert.Equal(("pending_approval", "amount_above_auto_limit"), await DecidedAsync(borrower, product, 1_010_000));

        // A loan of theirs overdue: no fast track, however much is free.
        await using (var db = await api.OpenDatabaseAsync())
        {
            await Dapper.SqlMapper.ExecuteAsync(db, "UPDATE loans SET status = 'overdue' WHERE id = @id", new { id = loan.GetProperty("id").GetGuid() });
        }

        Assert.Equal(("pending_approval", "amount_above_auto_limit"), await DecidedAsync(borrower, product, 600_000));
    }

    /// <summary>The borrower applies again for <paramref name="amount"/>: the decision's status and reason codes.</summary>
    private async Task<(string Status, string Reasons)> DecidedAsync(HttpClient borrower, Guid product, long amount)
    {
        var (_, id) = await IntakeFlow.DraftAsync(api, product, amount: amount, borrower: borrower);
        await IntakeFlow.SubmitAsync(borrower, id);
        var decided = await IntakeFlow.DecidedAsync(borrower, id);
        return (decided.GetProperty("status").GetString()!, string.Join(",", decided.ReasonCodes()));
    }

    /// <summary>Rules as version 1 has them, as a new version: tests of this class change the rules in any order.</summary>
    private async Task<int> DefaultRulesAsync()
    {
        using var admin = await api.CreateAdminClientAsync();
        var written = await admin.PutWithKeyAsync("/v1/credit-line-rules",
            new { initialFactor = 1m, raiseAfterOnTime = 3, raiseShare = 0.2m, cutShare = 0.5m, maxLimit = 5_000_000L, note = "As version 1" }, Guid.NewGuid().ToString());
        await written.AssertStatusAsync(HttpStatusCode.OK);
        return (await written.ReadJsonAsync()).GetProperty("version").GetInt32();
    }

    [Fact]
    public async Task AdminsReplaceTheRulesWithANewVersionAndBadRulesAreRefusedByName()
    {
        using var admin = await api.CreateAdminClientAsync();
        using var officer = await api.CreateStaffWithRolesAsync("loan_officer");
        var body = new { initialFactor = 1.5m, raiseAfterOnTime = 4, raiseShare = 0.1m, cutShare = 0.3m, maxLimit = 8_000_000L, note = "Raise slower" };

        var changed = await admin.PutWithKeyAsync("/v1/credit-line-rules", body, Guid.NewGuid().ToString());

        await changed.AssertStatusAsync(HttpStatusCode.OK);
        var version = (await changed.ReadJsonAsync()).GetProperty("version").GetInt32();
        Assert.True(version >= 2);
        var current = await (await officer.GetAsync("/v1/credit-line-rules")).ReadJsonAsync();
        Assert.Equal((version, 1.5m, 10_000L), (current.GetProperty("version").GetInt32(), current.GetProperty("initialFactor").GetDecimal(), current.GetProperty("roundTo").GetInt64()));
        Assert.Equal(1.0m, (await (await officer.GetAsync("/v1/credit-line-rules?version=1")).ReadJsonAsync()).GetProperty("initialFactor").GetDecimal());
        var refused = await admin.PutWithKeyAsync("/v1/credit-line-rules", body with { raiseAfterOnTime = 0 }, Guid.NewGuid().ToString());
        Assert.Equal(["raiseAfterOnTime"], (await refused.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "credit_line_rules_invalid")).ErrorFields());
        await (await officer.PutWithKeyAsync("/v1/credit-line-rules", body, Guid.NewGuid().ToString())).AssertProblemAsync(HttpStatusCode.Forbidden);

        // The new version sets new lines.
        var product = await LoanFlow.PricedProductAsync(api);
        var (borrower, _) = await LoanFlow.AcceptedAsync(api, product, amount: 1_000_000);
        var line = await (await borrower.GetAsync("/v1/borrowers/me/credit-line")).ReadJsonAsync();
        Assert.Equal((1_500_000L, version), (line.GetProperty("limit").GetInt64(), line.GetProperty("rulesVersion").GetInt32()));
    }
}
