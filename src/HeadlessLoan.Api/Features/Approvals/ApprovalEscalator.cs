using HeadlessLoan.Api.Platform.Jobs;
using HeadlessLoan.Api.Platform.Database;
using Microsoft.Extensions.Options;

namespace HeadlessLoan.Api.Features.Approvals;

/// <summary>
/// The SLA: every <c>Approvals:EscalationCheckSeconds</c> of the injected clock, tasks waiting longer than
/// <c>Approvals:EscalateAfterMinutes</c> are flagged as escalated with an event each. Instances share the work
/// through row locks, so a task is escalated once.
/// </summary>
public sealed partial class ApprovalEscalator(
    ApprovalTaskStore store, IOptions<ApprovalsOptions> options, TimeProvider clock, ILogger<ApprovalEscalator> logger) : PollingWorker(logger)
{
    /// <summary>On the injected clock: the SLA is business time, and tests move it.</summary>
    protected override Task PauseAsync(CancellationToken ct) => Task.Delay(TimeSpan.FromSeconds(options.Value.EscalationCheckSeconds), clock, ct);

    /// <summary>Escalates everything overdue now; returns how many tasks.</summary>
    public override async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var cutoff = DbTime.Now(clock).AddMinutes(-options.Value.EscalateAfterMinutes);
        var total = 0;
        int escalated;
        do
        {
            escalated = await store.EscalateAsync(cutoff, options.Value.BatchSize, ct);
            total += escalated;
        }
        while (escalated == options.Value.BatchSize);

        if (total > 0)
        {
            LogEscalated(logger, total, options.Value.EscalateAfterMinutes);
        }

        return total;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Escalated {Count} approval tasks waiting more than {Minutes} minutes")]
    private static partial void LogEscalated(ILogger logger, int count, int minutes);
}
