using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HeadlessLoan.Api.Features.Approvals;
using HeadlessLoan.Api.Tests.Decisions;
using HeadlessLoan.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace HeadlessLoan.Api.Tests.Approvals;

/// <summary>
/// Intake runs in the background as in production; the approval router and the escalation job are driven by the
/// tests, so each test knows when tasks appear. The sandbox has few identities, so they may repeat here.
/// </summary>
public class ApprovalsFactory : ApiFactory
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Decisions:MaxApplicationsPerIdentity"] = "100000",
        ["Approvals:WorkersEnabled"] = "false",
    };
}

/// <summary>A staff client and its id.</summary>
public sealed record StaffMember(HttpClient Client, Guid Id) : IDisposable
{
    public void Dispose() => Client.Dispose();
}

/// <summary>Brings applications to people over HTTP (intake with the sandbox) and drives the approval workers.</summary>
public static class ApprovalFlow
{
    /// <summary>A product that lends up to 200,000 CNY and approves nothing automatically above 1,000 CNY.</summary>
    public static async Task<Guid> ProductAsync(ApiFactory api)
    {
        using var admin = await api.CreateAdminClientAsync();
        var product = TestHttp.ValidProduct();
        product["ageMin"] = 18;
        product["ageMax"] = 65;
        product["amountMax"] = 20_000_000L;
        product["autoApprovalLimit"] = 100_000L;
        return (await admin.CreateProductAsync(product)).GetProperty("id").GetGuid();
    }

    /// <summary>Drafts and submits an application, and waits until intake hands it to people.</summary>
    public static async Task<(HttpClient Borrower, Guid Id)> SubmittedForApprovalAsync(ApiFactory api, Guid productId, long amount)
    {
        var (client, id) = await IntakeFlow.DraftAsync(api, productId, amount: amount);
        await IntakeFlow.SubmitAsync(client, id);
        var decided = await IntakeFlow.DecidedAsync(client, id);
        Assert.Equal("pending_approval", decided.GetProperty("status").GetString());
        return (client, id);
    }

    /// <summary>Submitted, handed off and routed: its first tasks exist.</summary>
    public static async Task<(HttpClient Borrower, Guid Id)> PendingAsync(ApiFactory api, Guid productId, long amount)
    {
        var pending = await SubmittedForApprovalAsync(api, productId, amount);
        await RouteAsync(api);
        return pending;
    }

    public static Task<int> RouteAsync(ApiFactory api) => api.Services.GetRequiredService<ApprovalRouter>().RunOnceAsync(CancellationToken.None);

    public static async Task<StaffMember> StaffAsync(ApiFactory api, params string[] roles)
    {
        var client = await api.CreateStaffWithRolesAsync(roles);
        var me = await (await client.GetAsync("/v1/me")).ReadJsonAsync();
        return new StaffMember(client, Guid.Parse(me.GetProperty("id").GetString()!));
    }

    /// <summary>The application's tasks as a holder of <paramref name="role"/> sees them in the queue (any status).</summary>
    public static async Task<List<JsonElement>> TasksAsync(HttpClient staff, Guid applicationId, string status = "open")
    {
        var response = await staff.GetAsync($"/v1/approval-tasks?applicationId={applicationId}&status={status}");
        await response.AssertStatusAsync(HttpStatusCode.OK);
        return (await response.ReadJsonAsync()).GetProperty("items").EnumerateArray().ToList();
    }

    public static async Task<Guid> SingleOpenTaskAsync(HttpClient staff, Guid applicationId) =>
        Assert.Single(await TasksAsync(staff, applicationId)).GetProperty("id").GetGuid();

    public static Task<HttpResponseMessage> DecideAsync(this HttpClient staff, Guid taskId, string decision, string? reasonCode = null, string? comment = null) =>
        staff.PostAsJsonAsync($"/v1/approval-tasks/{taskId}/decision", new { decision, reasonCode, comment });

    public static async Task ApproveAsync(this HttpClient staff, Guid taskId) =>
        await (await staff.DecideAsync(taskId, "approve")).AssertStatusAsync(HttpStatusCode.OK);

    public static async Task<JsonElement> ApplicationAsync(HttpClient client, Guid id)
    {
        var response = await client.GetAsync($"/v1/applications/{id}");
        await response.AssertStatusAsync(HttpStatusCode.OK);
        return await response.ReadJsonAsync();
    }
}
