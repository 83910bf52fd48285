using HeadlessLoan.Api.Features.Loans;
using HeadlessLoan.Api.Platform;
using HeadlessLoan.Api.Platform.Audit;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Platform.Jobs;
using HeadlessLoan.Domain.Overdue;
using Microsoft.Extensions.Options;
using MySqlConnector;

namespace HeadlessLoan.Api.Features.CloseOfBusiness;

/// <summary>
/// The daily close of business: the business date is today in Asia/Shanghai (the injected clock), and every COB date
/// before it not yet closed is closed in order. A date's loans are cut in slices (<c>CloseOfBusiness:Workers</c>),
/// closed at once, each a batch of loans per transaction (<see cref="LoanDayEnd"/>) with the slice's cursor moved in
/// the same transaction. One instance runs it (a job lease); a slice's row is locked per batch as well, so even two
/// runners at once write each batch once. A batch that fails stops the date as <c>failed</c> where its slices stood
/// until staff rerun it; later dates wait for it.
/// </summary>
public sealed partial class CobJob(
    MySqlDataSource db, AuditTrail audit, CobRuns runs, LoanDayEnd loans, JobLeases leases, IOptions<CloseOfBusinessOptions> options, TimeProvider clock,
    ILogger<CobJob> logger) : LeasedWorker(leases, Job, TimeSpan.FromMinutes(2), logger)
{
    public const string Job = "close-of-business";

    /// <summary>Real time, not the injected clock: polling is not business time.</summary>
    protected override Task PauseAsync(CancellationToken ct) => Task.Delay(TimeSpan.FromMilliseconds(options.Value.PollMilliseconds), ct);

    /// <summary>Closes a batch of every open slice of the open COB date at once; returns the loans they reached (a round that finds the date's slices done completes it and counts 1).</summary>
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
            return await RoundAsync(cobDate, now, ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested && !DatabaseFaults.IsUnavailable(e))
        {
            LogFailed(logger, cobDate, e);
            await runs.FailAsync(cobDate, e.GetType().Name + ": " + e.Message, DbTime.Now(clock), ct);
            return 0;
        }
    }

    /// <summary>Runs the job until nothing is left to close (tests, and the benchmark); returns the batches that closed loans.</summary>
    public async Task<int> CloseAllAsync(CancellationToken ct)
    {
        var before = Volatile.Read(ref _batches);
        while (await RunOnceAsync(ct) > 0)
        {
        }

        return Volatile.Read(ref _batches) - before;
    }

    private int _batches;

    private async Task<int> RoundAsync(DateOnly cobDate, DateTime now, CancellationToken ct)
    {
        if (await runs.SlicesAsync(cobDate, options.Value.Workers, options.Value.BatchSize, audit, ct) is not { } slices)
        {
            return 0; // another runner completed or failed it meanwhile
        }

        var open = slices.Where(s => !s.Done).ToList();
        if (open.Count == 0)
        {
            if (await runs.CompleteAsync(cobDate, now, ct))
            {
                LogClosed(logger, cobDate, slices.Sum(s => s.LoansProcessed));
            }

            return 1;
        }

        // Each slice's batch in a transaction of its own, all at once: the slices' loans are apart.
        var table = await ClassificationAsync(ct);
        var reached = await Task.WhenAll(open.Select(s => SliceBatchAsync(cobDate, s.Slice, table, now, ct)));
        return Math.Max(1, reached.Sum());
    }

    /// <summary>The next batch of one slice, its row locked for the batch (a second runner waits, then sees its moved cursor); retried when the database chose it as a deadlock's victim.</summary>
    private async Task<int> SliceBatchAsync(DateOnly cobDate, int slice, ClassificationTable table, DateTime now, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var change = await DbChange.BeginAsync(db, audit, ct);
                if (!await CobRuns.IsRunningAsync(change, cobDate, ct) || await CobRuns.LockSliceAsync(change, cobDate, slice, ct) is not { Done: false } at)
                {
                    return 0;
                }

                var batch = await loans.CloseBatchAsync(change, cobDate, at.CursorLoanId, at.LastLoanId, options.Value.BatchSize, table, now, ct);
                await CobRuns.AdvanceSliceAsync(change, cobDate, slice, batch.Processed, batch.Last, ct);
                await change.CommitAsync(ct);
                if (batch.Processed > 0)
                {
                    Interlocked.Increment(ref _batches);
                }

                return batch.Processed;
            }
            catch (MySqlException e) when (e.ErrorCode == MySqlErrorCode.LockDeadlock && attempt < 3)
            {
                LogDeadlock(logger, cobDate, slice, attempt);
            }
        }
    }

    /// <summary>The classification table in force, read as the round starts: every slice of a round classifies by the same version.</summary>
    private async Task<ClassificationTable> ClassificationAsync(CancellationToken ct)
    {
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        return await CobRuns.ClassificationAsync(change, ct);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Close of business {CobDate}: a batch of slice {Slice} was a deadlock's victim (attempt {Attempt}); retrying")]
    private static partial void LogDeadlock(ILogger logger, DateOnly cobDate, int slice, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Close of business {CobDate} completed: {Loans} loans")]
    private static partial void LogClosed(ILogger logger, DateOnly cobDate, int loans);

    [LoggerMessage(Level = LogLevel.Error, Message = "Close of business {CobDate} failed; it waits for a rerun")]
    private static partial void LogFailed(ILogger logger, DateOnly cobDate, Exception exception);
}
