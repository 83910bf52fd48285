using HeadlessLoan.Api.Platform.Database;

namespace HeadlessLoan.Api.Platform.Jobs;

/// <summary>
/// A background job that works in batches: it runs <see cref="RunOnceAsync"/> again at once while there is work, pauses
/// (<see cref="PauseAsync"/>) when a batch found none, and logs a failed batch and retries a second later, so one bad
/// moment (the database restarting) does not stop the job for good. Tests call <see cref="RunOnceAsync"/> directly.
/// </summary>
public abstract partial class PollingWorker(ILogger logger) : BackgroundService
{
    /// <summary>Processes one batch; returns how much it processed (0 when there was nothing to do).</summary>
    public abstract Task<int> RunOnceAsync(CancellationToken ct);

    protected abstract Task PauseAsync(CancellationToken ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await RunOnceAsync(stoppingToken) == 0)
                {
                    await PauseAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                if (DatabaseFaults.IsUnavailable(e))
                {
                    // The database restarting, or a conflict: expected now and then, and the next batch is the retry.
                    LogUnavailable(logger, GetType().Name, e.Message);
                }
                else
                {
                    LogFailure(logger, GetType().Name, e);
                }

                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Worker} batch could not reach the database ({Message}); retrying")]
    private static partial void LogUnavailable(ILogger logger, string worker, string message);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Worker} batch failed; retrying")]
    private static partial void LogFailure(ILogger logger, string worker, Exception exception);
}
