using HeadlessLoan.Api.Features.Loans;
using HeadlessLoan.Api.Platform;
using HeadlessLoan.Api.Platform.Audit;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Platform.Jobs;
using Microsoft.Extensions.Options;
using MySqlConnector;

namespace HeadlessLoan.Api.Features.CloseOfBusiness;

/// <summary>
/// The daily close of business: the business date is today in Asia/Shanghai (the injected clock), and every COB date
/// before it not yet closed is closed in order, a batch of loans per transaction (<see cref="LoanDayEnd"/>), the run's
/// cursor moved in the same transaction. One instance runs it (a job lease); the run's row is locked per batch as
/// well, so even two runners at once write each batch once. A batch that fails stops the date as <c>failed</c> where
/// it stood until staff rerun it; later dates wait for it.
/// </summary>
public sealed partial class CobJob(
    MySqlDataSource db, AuditTrail audit, CobRuns runs, LoanDayEnd loans, JobLeases leases, IOptions<CloseOfBusinessOptions> options, TimeProvider clock,
    ILogger<CobJob> logger) : LeasedWorker(leases, Job, TimeSpan.FromMinutes(2), logger)
{
    public const string Job = "close-of-business";

    /// <summary>Real time, not the injected clock: polling is not business time.</summary>
    protected override Task PauseAsync(CancellationToken ct) => Task.Delay(TimeSpan.FromMilliseconds(options.Value.PollMilliseconds), ct);

    /// <summary>Closes one batch of the open COB date; returns the loans it reached (a date's last, empty, batch completes it and counts 1).</summary>
    protected override async Task<int> RunLeasedAsync(CancellationToken ct)
    {
        var now = DbTime.Now(clock);
        if (await runs.OpenRunAsync(ChinaTime.Today(clock), now, ct) is not { } run)
        {
            return 0;
        }

        var cobDate = DateOnly.FromDateTime(run.CobDate);
        try
        {
            return await BatchAsync(cobDate, now, ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested && !DatabaseFaults.IsUnavailable(e))
        {
            LogFailed(logger, cobDate, e);
            await runs.FailAsync(cobDate, e.GetType().Name + ": " + e.Message, DbTime.Now(clock), ct);
            return 0;
        }
    }

    /// <summary>Runs the job until nothing is left to close (tests, and the benchmark); returns the batches it ran.</summary>
    public async Task<int> CloseAllAsync(CancellationToken ct)
    {
        var batches = 0;
        while (await RunOnceAsync(ct) > 0)
        {
            batches++;
        }

        return batches;
    }

    private async Task<int> BatchAsync(DateOnly cobDate, DateTime now, CancellationToken ct)
    {
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        if (await CobRuns.LockAsync(change, cobDate, ct) is not { Status: CobRunStatus.Running } run)
        {
            return 0; // another runner completed or failed it meanwhile
        }

        var table = await CobRuns.ClassificationAsync(change, ct);
        var batch = await loans.CloseBatchAsync(change, cobDate, run.CursorLoanId, options.Value.BatchSize, table, now, ct);
        await CobRuns.AdvanceAsync(change, cobDate, batch.Processed, batch.Last, now, ct);
        await change.CommitAsync(ct);
        if (batch.Processed == 0)
        {
            LogClosed(logger, cobDate, run.LoansProcessed);
            return 1;
        }

        return batch.Processed;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Close of business {CobDate} completed: {Loans} loans")]
    private static partial void LogClosed(ILogger logger, DateOnly cobDate, int loans);

    [LoggerMessage(Level = LogLevel.Error, Message = "Close of business {CobDate} failed; it waits for a rerun")]
    private static partial void LogFailed(ILogger logger, DateOnly cobDate, Exception exception);
}
