using System.Threading.RateLimiting;
using HeadlessLoan.Api.Platform.Database;
using StackExchange.Redis;

namespace HeadlessLoan.Api.Platform.RateLimiting;

/// <summary>
/// A fixed-window limit shared by every instance through one Redis counter per window, which instances draw on in
/// blocks of permits (a fiftieth of the limit, at most 100), so most requests cost no Redis round trip. While Redis
/// does not answer, each instance counts the window on its own (the limit then holds per instance, not across them)
/// and no request waits for Redis; once Redis answers again, the window is counted there again.
/// </summary>
public sealed class LeasedRedisRateLimiter(
    IConnectionMultiplexer redis, RedisHealth health, string key, int permitLimit, TimeSpan window, TimeProvider clock) : RateLimiter
{
    // Sets the expiry with the first reservation of a window, so counters never outlive it.
    private const string ReserveScript = """
        local total = redis.call('INCRBY', KEYS[1], ARGV[1])
        if total == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
        return total
        """;

    private static readonly RateLimitLease Granted = new Lease(true, null);

    private readonly int _block = Math.Clamp(permitLimit / 50, 1, 100);
    private readonly Lock _gate = new();
    private long _windowIndex = -1;
    private int _localPermits;
    private bool _exhausted;
    private long _aloneWindowIndex = -1;
    private int _aloneCount;
    private long _lastUsedTicks = Environment.TickCount64;

    /// <summary>
    /// Never idle while it holds unused permits of the current window: the partitioned limiter drops a limiter idle for
    /// ten seconds, and a borrower filling in a form is often slower than that — dropping it would throw its reserved
    /// permits away and ask Redis again on every request.
    /// </summary>
    public override TimeSpan? IdleDuration
    {
        get
        {
            lock (_gate)
            {
                if (_localPermits > 0 && CurrentWindow().Index == _windowIndex)
                {
                    return null;
                }
            }

            return TimeSpan.FromMilliseconds(Environment.TickCount64 - Interlocked.Read(ref _lastUsedTicks));
        }
    }

    public override RateLimiterStatistics? GetStatistics() => new() { CurrentAvailablePermits = _localPermits };

    /// <summary>Serves from the local reservation only; the middleware then waits on <see cref="AcquireAsyncCore"/>.</summary>
    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        lock (_gate)
        {
            var (index, _) = CurrentWindow();
            if (index == _windowIndex && _localPermits >= permitCount)
            {
                _localPermits -= permitCount;
                Touch();
                return Granted;
            }

            return index == _windowIndex && _exhausted ? Rejected(index) : new Lease(false, null);
        }
    }

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        var quick = AttemptAcquireCore(permitCount);
        if (quick.IsAcquired || quick.TryGetMetadata(MetadataName.RetryAfter, out _))
        {
            return quick;
        }

        var (index, remaining) = CurrentWindow();
        if (!health.IsAvailable)
        {
            return CountAlone(index, permitCount);
        }

        var reserve = Math.Max(_block, permitCount);
        long total;
        try
        {
            total = (long)await redis.GetDatabase().ScriptEvaluateAsync(
                ReserveScript, [$"{key}:{index}"], [reserve, (long)remaining.TotalMilliseconds + 1000]);
        }
        catch (Exception e) when (RedisHealth.IsFailure(e))
        {
            health.Report(e);
            return CountAlone(index, permitCount);
        }

        var granted = (int)Math.Min(reserve, permitLimit - (total - reserve));
        lock (_gate)
        {
            if (index != _windowIndex)
            {
                (_windowIndex, _localPermits, _exhausted) = (index, 0, false);
            }

            Touch();
            if (granted >= permitCount)
            {
                _localPermits += granted - permitCount;
                return Granted;
            }

            // Whatever part of the block fits is kept for smaller requests; the window is spent for this one.
            _localPermits += Math.Max(0, granted);
            _exhausted = true;
            return Rejected(index);
        }
    }

    /// <summary>Without Redis: the window counted by this instance alone.</summary>
    private RateLimitLease CountAlone(long index, int permitCount)
    {
        lock (_gate)
        {
            if (index != _aloneWindowIndex)
            {
                (_aloneWindowIndex, _aloneCount) = (index, 0);
            }

            Touch();
            if (_aloneCount + permitCount > permitLimit)
            {
                return Rejected(index);
            }

            _aloneCount += permitCount;
            return Granted;
        }
    }

    private (long Index, TimeSpan Remaining) CurrentWindow()
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var length = (long)window.TotalMilliseconds;
        return (now / length, TimeSpan.FromMilliseconds(length - (now % length)));
    }

    private Lease Rejected(long index)
    {
        var (current, remaining) = CurrentWindow();
        return new Lease(false, current == index ? remaining : TimeSpan.Zero);
    }

    private void Touch() => Interlocked.Exchange(ref _lastUsedTicks, Environment.TickCount64);

    private sealed class Lease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = retryAfter;
            return retryAfter is not null && metadataName == MetadataName.RetryAfter.Name;
        }
    }
}
