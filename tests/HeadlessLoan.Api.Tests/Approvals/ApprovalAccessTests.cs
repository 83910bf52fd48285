using System.Net;
using System.Net.Http.Json;
using HeadlessLoan.Api.Tests.Infrastructure;
using static HeadlessLoan.Api.Tests.Approvals.ApprovalFlow;

namespace HeadlessLoan.Api.Tests.Approvals;

/// <summary>Every approval endpoint, called by borrowers, channels and staff without the role: 403 or 404, never data.</summary>
public sealed class ApprovalAccessTests(ApprovalsFactory api) : IClassFixture<ApprovalsFactory>
{
    private static readonly IReadOnlyList<(string Name, Func<HttpClient, Guid, Guid, Guid, Task<HttpResponseMessage>> Call)> Endpoints =
    [
        ("GET policy", (c, _, _, _) => c.GetAsync("/v1/approval-policy")),
        ("PUT policy", (c, _, _, _) => c.PutAsJsonAsync("/v1/approval-policy", new { note = "n", rules = new[] { new { steps = new[] { new { role = "risk_officer", approvers = 1 } } } } })),
        ("GET tasks", (c, _, _, _) => c.GetAsync("/v1/approval-tasks")),
        ("GET task", (c, task, _, _) => c.GetAsync($"/v1/approval-tasks/{task}")),
        ("GET applicant", (c, task, _, _) => c.GetAsync($"/v1/approval-tasks/{task}/applicant")),
        ("POST claim", (c, task, _, _) => c.PostAsync($"/v1/approval-tasks/{task}/claim", null)),
        ("POST release", (c, task, _, _) => c.PostAsync($"/v1/approval-tasks/{task}/release", null)),
        ("POST decision", (c, task, _, _) => c.DecideAsync(task, "approve")),
        ("POST special approval", (c, _, app, _) => c.PostAsJsonAsync($"/v1/applications/{app}/special-approval", new { reason = "Because I can say so" })),
        ("PUT loan officer", (c, _, app, staff) => c.PutAsJsonAsync($"/v1/applications/{app}/loan-officer", new { staffId = staff })),
        ("POST relation", (c, _, _, staff) => c.PostAsJsonAsync($"/v1/staff/{staff}/relations", new { kind = "family", idNumber = "110101199003070011" })),
        ("GET relations", (c, _, _, staff) => c.GetAsync($"/v1/staff/{staff}/relations")),
    ];

    [Fact]
    public async Task BorrowersChannelsAndStaffWithoutARoleAreRefusedEverywhereAndSeeNoData()
    {
        var product = await ProductAsync(api);
        using var admin = await api.CreateAdminClientAsync();
        using var officer = await StaffAsync(api, "risk_officer");
        var (owner, id) = await PendingAsync(api, product, 1_000_000);
        var taskId = await SingleOpenTaskAsync(officer.Client, id);
        var (_, _, key) = await admin.CreateChannelWithKeyAsync();
        using var channel = api.CreateChannelClient(key);
        using var otherBorrower = await api.CreateBorrowerClientAsync();
        using var collector = await StaffAsync(api, "collector");
        using var loanOfficer = await StaffAsync(api, "loan_officer");
        var strangers = new[] { ("the applicant", owner), ("another borrower", otherBorrower), ("a channel", channel), ("a collector", collector.Client), ("a loan officer", loanOfficer.Client) };

        foreach (var (who, client) in strangers)
        {
            foreach (var (name, call) in Endpoints)
            {
                var response = await call(client, taskId, id, officer.Id);
                var text = await response.Content.ReadAsStringAsync();
                Assert.True(response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound, $"{who} on {name}: {(int)response.StatusCode} {text}");
                await response.AssertProblemAsync(response.StatusCode);
                Assert.DoesNotContain(taskId.ToString(), text, StringComparison.Ordinal);
                AssertNoIdNumber(text);
            }
        }

        // Nothing changed: the task is still open and the application still waiting.
        Assert.Equal("open", Assert.Single(await TasksAsync(officer.Client, id)).GetProperty("status").GetString());
        Assert.Equal("pending_approval", (await ApplicationAsync(owner, id)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task ReviewersOfAnotherRoleAreRefusedAndUnknownIdsAreNotFound()
    {
        var product = await ProductAsync(api);
        using var officer = await StaffAsync(api, "risk_officer");
        using var head = await StaffAsync(api, "dept_head");
        var (_, id) = await PendingAsync(api, product, 1_000_000);
        var taskId = await SingleOpenTaskAsync(officer.Client, id);
        var taskCalls = Endpoints.Where(e => e.Name is "GET task" or "GET applicant" or "POST claim" or "POST release" or "POST decision").ToList();

        foreach (var (name, call) in taskCalls)
        {
            var refused = await call(head.Client, taskId, id, head.Id);
            var unknown = await call(officer.Client, Guid.NewGuid(), id, officer.Id);
            Assert.True(refused.StatusCode == HttpStatusCode.Forbidden, $"{name}: {(int)refused.StatusCode}");
            await refused.AssertProblemAsync(HttpStatusCode.Forbidden, "role_mismatch");
            AssertNoIdNumber(await refused.Content.ReadAsStringAsync());
            await unknown.AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        }

        Assert.Empty((await (await head.Client.GetAsync($"/v1/approval-tasks?applicationId={id}")).ReadJsonAsync()).GetProperty("items").EnumerateArray());
        using var admin = await api.CreateAdminClientAsync();
        await (await admin.PostAsJsonAsync($"/v1/applications/{Guid.NewGuid()}/special-approval", new { reason = "No such application here" }))
            .AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await admin.PutAsJsonAsync($"/v1/applications/{Guid.NewGuid()}/loan-officer", new { staffId = officer.Id }))
            .AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await admin.PutAsJsonAsync($"/v1/applications/{id}/loan-officer", new { staffId = officer.Id }))
            .AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "not_a_loan_officer");
        await (await admin.GetAsync($"/v1/staff/{Guid.NewGuid()}/relations")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await admin.PostAsJsonAsync($"/v1/staff/{Guid.NewGuid()}/relations", new { kind = "family", borrowerId = Guid.NewGuid() }))
            .AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    // The sample ID number, whole or masked ("1101**********0011"); a bare "1101" could be part of a trace id.
    private static void AssertNoIdNumber(string text)
    {
        Assert.DoesNotContain("110101199003070011", text, StringComparison.Ordinal);
        Assert.DoesNotContain("1101*", text, StringComparison.Ordinal);
    }
}
