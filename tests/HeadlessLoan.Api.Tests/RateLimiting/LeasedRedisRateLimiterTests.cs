using System.Threading.RateLimiting;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Platform.RateLimiting;
using HeadlessLoan.Api.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace HeadlessLoan.Api.Tests.RateLimiting;

/// <summary>Against the real Redis: several instances share one limit without exceeding it.</summary>
public sealed class LeasedRedisRateLimiterTests : IAsyncLifetime
{
    private ConnectionMultiplexer _redis = null!;
    private readonly string _key = "test:rl:" + Guid.NewGuid().ToString("N");
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 2, 1, 0, 30, TimeSpan.Zero));

    public async Task InitializeAsync() => _redis = await ConnectionMultiplexer.ConnectAsync(TestServers.Redis);

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    private LeasedRedisRateLimiter Instance(int limit, IConnectionMultiplexer? redis = null) =>
        new(redis ?? _redis, new RedisHealth(redis ?? _redis, NullLogger<RedisHealth>.Instance), _key, limit, TimeSpan.FromMinutes(1), _clock);

    private static async Task<int> GrantedAsync(RateLimiter limiter, int attempts)
    {
        var granted = 0;
        for (var i = 0; i < attempts; i++)
        {
            using var lease = await limiter.AcquireAsync();
            granted += lease.IsAcquired ? 1 : 0;
        }

        return granted;
    }

    [Fact]
    public async Task ThreeInstancesTogetherGrantExactlyTheLimitInAWindow()
    {
        using var a = Instance(100);
        using var b = Instance(100);
        using var c = Instance(100);

        var granted = await Task.WhenAll(GrantedAsync(a, 80), GrantedAsync(b, 80), GrantedAsync(c, 80));

        Assert.Equal(100, granted.Sum());
    }

    [Fact]
    public async Task WithoutRedisEachInstanceGrantsTheLimitOnItsOwnAndNoneWaits()
    {
        // Nothing listens on the discard port: the service's Redis settings, with no Redis behind them.
        await using var away = await ConnectionMultiplexer.ConnectAsync(StorageSetup.RedisOptions("127.0.0.1:9"));
        using var a = Instance(5, away);
        using var b = Instance(5, away);
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var granted = await Task.WhenAll(GrantedAsync(a, 8), GrantedAsync(b, 8));

        Assert.Equal([5, 5], granted);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"16 requests took {watch.ElapsedMilliseconds} ms without Redis");
    }

    [Fact]
    public async Task ARejectionSaysWhenTheWindowEndsAndTheNextWindowGrantsAgain()
    {
        using var limiter = Instance(3);
        Assert.Equal(3, await GrantedAsync(limiter, 3));

        using var rejected = await limiter.AcquireAsync();
        Assert.False(rejected.IsAcquired);
        Assert.True(rejected.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(30), retryAfter);

        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(3, await GrantedAsync(limiter, 5));
    }

    [Fact]
    public async Task ReservationsAreBlocksSoRedisIsNotAskedOnEveryRequest()
    {
        using var limiter = Instance(5_000); // blocks of 100

        Assert.Equal(250, await GrantedAsync(limiter, 250));

        var counter = (long)await _redis.GetDatabase().StringGetAsync($"{_key}:{_clock.GetUtcNow().ToUnixTimeMilliseconds() / 60_000}");
        Assert.Equal(300, counter); // three reservations of 100 served 250 requests
    }

    [Fact]
    public async Task TheLargestLimitStillEndsExactlyAtItsCountWhenTheWindowCounterPassesIntMax()
    {
        // A load test sets the limit out of reach (int.MaxValue a minute); near its end the shared counter outgrows an int.
        var window = $"{_key}:{_clock.GetUtcNow().ToUnixTimeMilliseconds() / 60_000}";
        await _redis.GetDatabase().StringSetAsync(window, int.MaxValue - 150L, TimeSpan.FromMinutes(2));
        using var limiter = Instance(int.MaxValue); // blocks of 100

        Assert.Equal(150, await GrantedAsync(limiter, 300)); // 100, then the 50 left of the second block
        // Three reservations of 100: the third found the window spent.
        Assert.Equal(int.MaxValue + 150L, (long)await _redis.GetDatabase().StringGetAsync(window));
    }

    [Fact]
    public async Task ALimiterHoldingPermitsOfTheCurrentWindowIsNotIdleUntilTheWindowEnds()
    {
        using var limiter = Instance(5_000); // blocks of 100
        Assert.Equal(1, await GrantedAsync(limiter, 1));

        Assert.Null(limiter.IdleDuration); // 99 reserved permits left in this window

        _clock.Advance(TimeSpan.FromSeconds(30)); // the window is over: what it held is worth nothing now
        Assert.NotNull(limiter.IdleDuration);
    }

    [Fact]
    public async Task ALimiterWithNothingLeftReportsHowLongItWasIdle()
    {
        using var limiter = Instance(2); // blocks of 1
        Assert.Equal(1, await GrantedAsync(limiter, 1));

        Assert.NotNull(limiter.IdleDuration);
    }
}
