using System.Net;
using HeadlessLoan.Api.Tests.Infrastructure;
using HeadlessLoan.Api.Tests.Loans;

namespace HeadlessLoan.Api.Tests.CreditLines;

/// <summary>Credit lines over HTTP: set by the first accepted approval, read by the borrower and staff, moved by versioned rules.</summary>
public sealed class CreditLineTests(LoansFactory api) : IClassFixture<LoansFactory>
{
    [Fact]
    public async Task TheFirstAcceptedApprovalSetsTheLineAndALaterOneDoesNotSetItAgain()
    {
        var product = await LoanFlow.PricedProductAsync(api);
        var (borrower, loan) = await LoanFlow.AcceptedAsync(api, product, amount: 1_234_567);
        var loanId = loan.GetProperty("id").GetGuid();

        var line = await (await borrower.GetAsync("/v1/borrowers/me/credit-line")).ReadJsonAsync();

        // Version 1: the approved amount, rounded down to 100 yuan; all of it used by the loan waiting for its payout.
        Assert.Equal((1_230_000L, 1_234_567L, 0L, 1), (line.GetProperty("limit").GetInt64(), line.GetProperty("used").GetInt64(),
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
