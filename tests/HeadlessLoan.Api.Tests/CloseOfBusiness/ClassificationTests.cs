using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using HeadlessLoan.Api.Tests.Infrastructure;
using HeadlessLoan.Api.Tests.Loans;

namespace HeadlessLoan.Api.Tests.CloseOfBusiness;

/// <summary>The classification table as versioned data the close classifies by, and manual classes with four eyes.</summary>
public sealed class ClassificationTests(LoansFactory api) : IClassFixture<LoansFactory>
{
    private readonly BusinessDays _days = new(api);

    [Fact]
    public async Task AManualClassNeedsASecondSupervisorStandsOverTheTableAtEveryCloseUntilWithdrawn()
    {
        var (loanId, firstDue) = await LoanAsync();
        await _days.WalkToAsync(firstDue.AddDays(3)); // two days past due: 关注 by the table
        Assert.Equal("special_mention", (await _days.LoanAsync(loanId)).GetProperty("riskClass").GetString());

        using var asker = await api.CreateStaffWithRolesAsync("dept_head");
        using var collector = await api.CreateStaffWithRolesAsync("collector");
        var body = new { loanId, riskClass = "doubtful", reason = "Borrower reported insolvent" };
        await (await collector.PostWithKeyAsync("/v1/risk-class-overrides", body, Guid.NewGuid().ToString())).AssertProblemAsync(HttpStatusCode.Forbidden);
        var asked = await asker.PostWithKeyAsync("/v1/risk-class-overrides", body, Guid.NewGuid().ToString());
        await asked.AssertStatusAsync(HttpStatusCode.Created);
        var overrideId = (await asked.ReadJsonAsync()).GetProperty("id").GetGuid();
        await (await asker.PostWithKeyAsync("/v1/risk-class-overrides", body, Guid.NewGuid().ToString())).AssertProblemAsync(HttpStatusCode.Conflict, "override_pending");
        await (await asker.PostWithoutBodyAsync($"/v1/risk-class-overrides/{overrideId}/approve", Guid.NewGuid().ToString())).AssertProblemAsync(HttpStatusCode.Forbidden, "four_eyes_same_person");
        Assert.Equal("special_mention", (await _days.LoanAsync(loanId)).GetProperty("riskClass").GetString());

        using var approver = await api.CreateStaffWithRolesAsync("dept_head");
        var approved = await approver.PostWithoutBodyAsync($"/v1/risk-class-overrides/{overrideId}/approve", Guid.NewGuid().ToString());
        await approved.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal("standing", (await approved.ReadJsonAsync()).GetProperty("status").GetString());
        Assert.Equal("doubtful", (await _days.LoanAsync(loanId)).GetProperty("riskClass").GetString());

        await _days.WalkToAsync(firstDue.AddDays(5));
        Assert.Equal(("doubtful", 4), Standing(await _days.LoanAsync(loanId)));

        using var supervisor = await api.CreateStaffWithRolesAsync("dept_head"); // a fresh token: the walk outlived the others'
        var withdrawn = await supervisor.PostWithoutBodyAsync($"/v1/risk-class-overrides/{overrideId}/withdraw", Guid.NewGuid().ToString());
        await withdrawn.AssertStatusAsync(HttpStatusCode.OK);
        await _days.WalkToAsync(firstDue.AddDays(6));
        Assert.Equal(("special_mention", 5), Standing(await _days.LoanAsync(loanId)));
        using var reader = await api.CreateStaffWithRolesAsync("dept_head");
        var history = await (await reader.GetAsync($"/v1/risk-class-overrides?loanId={loanId}")).ReadJsonAsync();
        Assert.Equal("withdrawn", Assert.Single(history.GetProperty("items").EnumerateArray()).GetProperty("status").GetString());
        await (await reader.PostWithoutBodyAsync($"/v1/risk-class-overrides/{overrideId}/withdraw", Guid.NewGuid().ToString())).AssertProblemAsync(HttpStatusCode.Conflict, "override_not_standing");
    }

    [Fact]
    public async Task ANewTableVersionIsCheckedAndTheNextCloseClassifiesByIt()
    {
        using var admin = await api.CreateAdminClientAsync();
        var current = await (await admin.GetAsync("/v1/risk-classification")).ReadJsonAsync();
        var version = current.GetProperty("version").GetInt32();
        var refused = await admin.PutWithKeyAsync("/v1/risk-classification", Table(1, 5, 3, 400), Guid.NewGuid().ToString());
        await refused.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "classification_invalid");

        var (loanId, firstDue) = await LoanAsync();
        var saved = await admin.PutWithKeyAsync("/v1/risk-classification", Table(1, 3, 5, 7), Guid.NewGuid().ToString());
        await saved.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal(version + 1, (await saved.ReadJsonAsync()).GetProperty("version").GetInt32());
        await _days.WalkToAsync(firstDue.AddDays(5)); // four days past due: 次级 by the new floors
        Assert.Equal(("substandard", 4), Standing(await _days.LoanAsync(loanId)));
        using var fresh = await api.CreateAdminClientAsync();
        Assert.Equal(1, (await (await fresh.GetAsync("/v1/risk-classification?version=1")).ReadJsonAsync()).GetProperty("floors")[1].GetProperty("minDaysPastDue").GetInt32());
        await (await fresh.PutWithKeyAsync("/v1/risk-classification", Table(1, 91, 271, 361), Guid.NewGuid().ToString())).AssertStatusAsync(HttpStatusCode.OK);
    }

    private static object Table(int mention, int substandard, int doubtful, int loss) => new
    {
        note = "Test floors",
        floors = new object[]
        {
            new { riskClass = "normal", minDaysPastDue = 0 }, new { riskClass = "special_mention", minDaysPastDue = mention },
            new { riskClass = "substandard", minDaysPastDue = substandard }, new { riskClass = "doubtful", minDaysPastDue = doubtful },
            new { riskClass = "loss", minDaysPastDue = loss },
        },
    };

    private static (string, int) Standing(System.Text.Json.JsonElement loan) => (loan.GetProperty("riskClass").GetString()!, loan.GetProperty("daysPastDue").GetInt32());

    private async Task<(Guid LoanId, DateOnly FirstDue)> LoanAsync()
    {
        await _days.CloseAsync();
        var (_, loan) = await LoanFlow.ActiveAsync(api, await LoanFlow.PricedProductAsync(api), amount: 500_000);
        return (loan.GetProperty("id").GetGuid(), DateOnly.Parse(loan.GetProperty("nextDue").GetProperty("dueDate").GetString()!, CultureInfo.InvariantCulture));
    }
}
