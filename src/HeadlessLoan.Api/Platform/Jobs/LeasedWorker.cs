using HeadlessLoan.Api.Platform.Database;

namespace HeadlessLoan.Api.Platform.Jobs;

/// <summary>
/// A polling job that exactly one instance runs at a time: each batch first holds (or renews) the job's lease in the
/// database, and an instance that does not hold it does nothing; a stopping instance gives the lease up so another
/// takes the job at once, and a crashed one's lease runs out.
/// </summary>
public abstract class LeasedWorker(JobLeases leases, string job, TimeSpan lease, ILogger logger) : PollingWorker(logger)
{
    private readonly Guid _owner = Guid.NewGuid();

    /// <summary>This instance's name on the lease (and on the rows it leases in turn).</summary>
    protected Guid Owner => _owner;

    public sealed override async Task<int> RunOnceAsync(CancellationToken ct) =>
        await leases.HoldAsync(job, _owner, lease, ct) ? await RunLeasedAsync(ct) : 0;

    /// <summary>One batch, run while this instance holds the lease.</summary>
    protected abstract Task<int> RunLeasedAsync(CancellationToken ct);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await leases.ReleaseAsync(job, _owner, cancellationToken);
        }
        catch (Exception e) when (e is OperationCanceledException || DatabaseFaults.IsUnavailable(e))
        {
            // The lease runs out on its own.
        }
    }
}
