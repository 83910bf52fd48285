using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using HeadlessLoan.Api.Platform.RateLimiting;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace HeadlessLoan.Api.Platform.Auth;

/// <summary>
/// Keeps a flood of made-up API keys away from the database: an unknown key is remembered for a minute, so presenting it
/// again costs no look-up, and unknown keys are counted per client address in one-minute windows, past
/// <see cref="RateLimitOptions.FailedApiKeysPerIpPerMinute"/> no key from that address is looked up until the window ends.
/// Counted in this instance's memory: it must work when nothing else does, and a flood is stopped where it arrives.
/// </summary>
public sealed class UnknownApiKeys(IOptions<RateLimitOptions> options, TimeProvider clock) : IDisposable
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    // Bounded: a flood of distinct keys from many addresses evicts old entries instead of growing without end.
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = 200_000 });

    /// <summary>How long until the address may present keys again, or null while it may.</summary>
    public TimeSpan? Refused(string address)
    {
        var (window, ends) = CurrentWindow();
        return _cache.TryGetValue(CountKey(address, window), out StrongBox<int>? count) && count!.Value >= options.Value.FailedApiKeysPerIpPerMinute
            ? ends - clock.GetUtcNow()
            : null;
    }

    public bool IsKnownUnknown(string presentedKey) => _cache.TryGetValue(UnknownKey(presentedKey), out _);

    /// <summary>A key that belongs to no active channel, presented from <paramref name="address"/>.</summary>
    public void Record(string presentedKey, string address)
    {
        _cache.Set(UnknownKey(presentedKey), true, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = Window });
        var (window, _) = CurrentWindow();
        var count = _cache.GetOrCreate(CountKey(address, window), entry =>
        {
            entry.Size = 1;
            entry.AbsoluteExpirationRelativeToNow = 2 * Window;
            return new StrongBox<int>();
        })!;
        Interlocked.Increment(ref count.Value);
    }

    public void Dispose() => _cache.Dispose();

    private (long Index, DateTimeOffset Ends) CurrentWindow()
    {
        var index = clock.GetUtcNow().UtcTicks / Window.Ticks;
        return (index, new DateTimeOffset((index + 1) * Window.Ticks, TimeSpan.Zero));
    }

    private static string CountKey(string address, long window) => $"count:{window}:{address}";

    // The key itself is never kept, only its hash.
    private static string UnknownKey(string presentedKey) => "key:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(presentedKey)));
}
