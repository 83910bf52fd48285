using Dapper;
using HeadlessLoan.Api.Features.Approvals;
using HeadlessLoan.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static HeadlessLoan.Api.Tests.Approvals.ApprovalFlow;

namespace HeadlessLoan.Api.Tests.Approvals;

public sealed class ApprovalEscalationTests(ApprovalsFactory api) : IClassFixture<ApprovalsFactory>
{
    [Fact]
    public async Task ATaskWaitingPastTheSlaIsEscalatedOnceWithAnEventAndAVisibleFlag()
    {
        var product = await ProductAsync(api);
        var (borrower, id) = await PendingAsync(api, product, 1_000_000);
        // No decisions yet to learn from: the estimate is the configured step time (240 minutes), less the time waited.
        var fresh = (await ApplicationAsync(borrower, id)).GetProperty("approval");
        var escalator = api.Services.GetRequiredService<ApprovalEscalator>();
        var second = ActivatorUtilities.CreateInstance<ApprovalEscalator>(api.Services);

        api.Clock.Advance(TimeSpan.FromMinutes(239));
        var early = await escalator.RunOnceAsync(CancellationToken.None);
        // Tokens are checked on the same clock, so the reviewer signs in after it moved.
        using var officer = await StaffAsync(api, "risk_officer");
        var later = (await ApplicationAsync(officer.Client, id)).GetProperty("approval");
        api.Clock.Advance(TimeSpan.FromMinutes(2));
        // Two instances at the same moment: the task is escalated by one of them.
        var counts = await Task.WhenAll(escalator.RunOnceAsync(CancellationToken.None), second.RunOnceAsync(CancellationToken.None));
        var again = await escalator.RunOnceAsync(CancellationToken.None);

        var task = Assert.Single(await TasksAsync(officer.Client, id));
        var escalatedList = await (await officer.Client.GetAsync($"/v1/approval-tasks?escalated=true&applicationId={id}")).ReadJsonAsync();
        var notEscalatedList = await (await officer.Client.GetAsync($"/v1/approval-tasks?escalated=false&applicationId={id}")).ReadJsonAsync();

        Assert.Equal(240, fresh.GetProperty("estimatedWaitMinutes").GetInt32());
        Assert.Equal(1, later.GetProperty("estimatedWaitMinutes").GetInt32());
        Assert.Equal(0, early);
        Assert.Equal(1, counts.Sum());
        Assert.Equal(0, again);
        Assert.True(task.GetProperty("escalated").GetBoolean());
        Assert.True(task.GetProperty("ageSeconds").GetInt64() >= 241 * 60);
        Assert.Single(escalatedList.GetProperty("items").EnumerateArray());
        Assert.Empty(notEscalatedList.GetProperty("items").EnumerateArray());
        await using var db = await api.OpenDatabaseAsync();
        Assert.Equal(1, await db.ExecuteScalarAsync<int>(
            "SELECT COUNT(*) FROM outbox_events WHERE entity_id = @taskId AND event_type = 'approval_task.escalated'",
            new { taskId = task.GetProperty("id").GetGuid().ToString() }));
    }

    [Fact]
    public async Task TheEscalationQueryCanUseItsIndex()
    {
        await using var db = await api.OpenDatabaseAsync();

        var plan = (await db.QueryAsync("EXPLAIN SELECT id FROM approval_tasks WHERE status IN ('open', 'claimed') AND escalated_at IS NULL AND created_at < NOW() ORDER BY created_at LIMIT 32"))
            .Cast<IDictionary<string, object?>>().First();
        var handOff = (await db.QueryAsync("EXPLAIN SELECT id FROM applications WHERE status = 'pending_approval' AND approval_routed = 0 ORDER BY decided_at LIMIT 32"))
            .Cast<IDictionary<string, object?>>().First();

        Assert.Contains("ix_approval_tasks_open_age", (plan["possible_keys"] as string ?? "").Split(','));
        Assert.Contains("ix_applications_approval_handoff", (handOff["possible_keys"] as string ?? "").Split(','));
    }
}
