using HeadlessLoan.Api.Features.CloseOfBusiness;
using HeadlessLoan.Api.Features.Reminders;
using HeadlessLoan.Api.Platform.Audit;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Platform.Jobs;
using HeadlessLoan.Domain.Collections;
using HeadlessLoan.Domain.Reminders;
using Microsoft.Extensions.Options;
using MySqlConnector;

namespace HeadlessLoan.Api.Features.Collections;

/// <summary>
/// The daily pass of collections, once the close of the day before is done, in one transaction: promises whose date has
/// passed are kept or broken (a broken one puts its order back to open, re-escalated), orders whose loan is no longer
/// overdue close, loans on the day overdue their product's reminder policy gives for it
/// (<see cref="ReminderPolicy.WorkOrderOnDay"/>, D+7 by default) get an order (at most one open per loan), every open order's priority is refreshed from its loan, and unassigned orders are handed to
/// collectors of their region. One instance runs it (a job lease); the date's row makes it once a day.
/// </summary>
public sealed partial class CollectionsJob(
    MySqlDataSource db, AuditTrail audit, ClosedDates closed, JobLeases leases, ReminderSettings reminders, IOptions<CollectionsOptions> options, TimeProvider clock,
    ILogger<CollectionsJob> logger) : LeasedWorker(leases, Job, TimeSpan.FromMinutes(2), logger)
{
    public const string Job = "collections";

    protected override Task PauseAsync(CancellationToken ct) => Task.Delay(TimeSpan.FromMilliseconds(options.Value.PollMilliseconds), ct);

    protected override async Task<int> RunLeasedAsync(CancellationToken ct)
    {
        if (await closed.DueTodayAsync("SELECT COUNT(*) FROM collection_runs WHERE business_date = @day", ct) is not { } today)
        {
            return 0;
        }

        var day = today.ToDateTime(TimeOnly.MinValue);
        var now = DbTime.Now(clock);
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        if (await change.ExecuteAsync("INSERT IGNORE INTO collection_runs (business_date, opened, assigned, finished_at) VALUES (@day, 0, 0, @now)", new { day, now }, ct) == 0)
        {
            return 0; // another runner did the day
        }

        foreach (var (promiseId, orderId, kept) in await WorkOrderStore.DuePromisesAsync(change, day, ct))
        {
            await WorkOrderStore.SettlePromiseAsync(change, promiseId, orderId, kept, now, ct);
            change.Record(new AuditEntry(AuditActor.System, kept ? "collection_promise.kept" : "collection_promise.broken", "collection_promise",
                promiseId.ToString(), null, new { workOrderId = orderId }), now);
        }

        await WriteOffsApi.LapseStaleAsync(change, now, ct);
        foreach (var id in await WorkOrderStore.CloseSettledAsync(change, now, ct))
        {
            change.Audit(new AuditEntry(AuditActor.System, "collection_work_order.closed", "collection_work_order", id.ToString(), null, new { reason = "loan_current" }));
        }

        var opened = await OpenAndRefreshAsync(change, day, now, ct);
        var assigned = await AssignAsync(change, options.Value.Assignment, now, ct);
        await change.ExecuteAsync("UPDATE collection_runs SET opened = @opened, assigned = @assigned WHERE business_date = @day", new { day, opened, assigned = assigned.Count }, ct);
        await change.CommitAsync(ct);
        LogPass(logger, today, opened, assigned.Count);
        return 1;
    }

    /// <summary>Opens an order for each loan now far enough overdue, and refreshes every open order's standing; returns how many opened.</summary>
    private async Task<int> OpenAndRefreshAsync(DbChange change, DateTime day, DateTime now, CancellationToken ct)
    {
        var policies = await reminders.PoliciesAsync(ct);
        int OpensOn(Guid productId) => ReminderSettings.PolicyFor(policies, productId)?.WorkOrderOnDay ?? ReminderPolicy.DefaultWorkOrderOnDay;
        var earliest = policies.Select(p => p.Policy.WorkOrderOnDay).Append(ReminderPolicy.DefaultWorkOrderOnDay).Where(d => d > 0).Min();
        var loans = await WorkOrderStore.OverdueLoansAsync(change, day, earliest, ct);
        var broken = await WorkOrderStore.BrokenPromisesAsync(change, ct);
        var standing = loans.Select(l => (l.LoanId, l.DaysOverdue, l.OverdueAmount,
            Priority: WorkOrderRules.Priority(l.DaysOverdue, l.OverdueAmount, broken.GetValueOrDefault(l.LoanId)))).ToArray();
        await WorkOrderStore.RefreshAsync(change, standing, now, ct);
        var candidates = loans.Zip(standing).Where(p => OpensOn(p.First.ProductId) is var on && on > 0 && p.First.DaysOverdue >= on)
            .Select(p => (Id: Guid.CreateVersion7(), Loan: p.First, p.Second.Priority)).ToArray();
        var opened = await WorkOrderStore.OpenAsync(change, candidates, "overdue", day, null, now, ct);
        if (opened > 0)
        {
            var ids = (await change.QueryAsync<Guid>("SELECT id FROM collection_work_orders WHERE id IN @ids", new { ids = candidates.Select(c => c.Id).ToArray() }, ct)).ToArray();
            foreach (var id in ids)
            {
                change.Record(new AuditEntry(AuditActor.System, "collection_work_order.opened", "collection_work_order", id.ToString(), null, new { reason = "overdue" }), now);
            }
        }

        return opened;
    }

    /// <summary>Hands the unassigned open orders to collectors by the rule, audited per order.</summary>
    public static async Task<IReadOnlyList<(Guid OrderId, Guid CollectorId)>> AssignAsync(DbChange change, AssignmentRule rule, DateTime now, CancellationToken ct)
    {
        var unassigned = await WorkOrderStore.UnassignedAsync(change, ct);
        if (unassigned.Count == 0)
        {
            return [];
        }

        var assigned = WorkOrderRules.Assign(unassigned, await WorkOrderStore.CollectorSlotsAsync(change, ct), rule, now);
        await WorkOrderStore.AssignAsync(change, assigned, now, ct);
        foreach (var (orderId, collectorId) in assigned)
        {
            change.Audit(new AuditEntry(AuditActor.System, "collection_work_order.assigned", "collection_work_order", orderId.ToString(), null,
                new { assignedTo = collectorId, rule = rule.ToString() }));
        }

        return assigned;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Collections for {BusinessDate}: {Opened} orders opened, {Assigned} assigned")]
    private static partial void LogPass(ILogger logger, DateOnly businessDate, int opened, int assigned);
}
