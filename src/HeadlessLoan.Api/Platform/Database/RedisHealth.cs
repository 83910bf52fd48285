using StackExchange.Redis;

namespace HeadlessLoan.Api.Platform.Database;

/// <summary>
/// Whether Redis may be asked now, so that requests do not each wait for it to fail: not while the connection is down
/// (the multiplexer reconnects by itself, and commands fail at once meanwhile), nor for a moment after a command timed
/// out (Redis connected but not answering). Every use of Redis decides what it does without it; see docs/architecture.md.
/// Started with the host, so that the connection is made at start-up (waiting at most the connect timeout when Redis
/// is away), not by the first request.
/// </summary>
public sealed partial class RedisHealth(IConnectionMultiplexer redis, ILogger<RedisHealth> logger) : IHostedService
{
    /// <summary>How long Redis is left alone after it failed to answer while connected.</summary>
    private static readonly TimeSpan Pause = TimeSpan.FromSeconds(2);

    private long _pausedUntil;

    /// <summary>Redis is connected and answered the last time it was asked.</summary>
    public bool IsAvailable => redis.IsConnected && Environment.TickCount64 >= Interlocked.Read(ref _pausedUntil);

    /// <summary>A command to Redis failed with <paramref name="failure"/>: Redis is not asked again for a moment.</summary>
    public void Report(Exception failure)
    {
        var until = Environment.TickCount64 + (long)Pause.TotalMilliseconds;
        if (Interlocked.Exchange(ref _pausedUntil, until) < Environment.TickCount64)
        {
            LogUnavailable(logger, failure.GetType().Name, failure.Message);
        }
    }

    /// <summary>A failure of Redis itself (unreachable, timed out, refusing), as opposed to a bug in the caller.</summary>
    public static bool IsFailure(Exception e) => e is RedisException or RedisTimeoutException;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis did not answer ({Kind}: {Message}); its users work without it until it does")]
    private static partial void LogUnavailable(ILogger logger, string kind, string message);
}
