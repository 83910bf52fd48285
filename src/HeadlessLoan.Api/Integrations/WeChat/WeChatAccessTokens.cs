using System.Net.Http.Json;
using HeadlessLoan.Api.Platform.Database;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace HeadlessLoan.Api.Integrations.WeChat;

/// <summary>
/// The mini-program's access token, shared by every instance through Redis. One instance at a time fetches a
/// new one (a Redis lock with expiry); the others wait for the value instead of stampeding WeChat, which
/// limits token calls per day. Uses <c>/cgi-bin/stable_token</c>, which is safe with several callers: so while Redis
/// does not answer, each instance keeps the token it fetched itself (<see cref="InstanceAccessToken"/>), and no call
/// waits for Redis.
/// </summary>
public sealed class WeChatAccessTokens(
    WeChatHttp http, IConnectionMultiplexer redis, RedisHealth redisHealth, RedisKeys keys, InstanceAccessToken instance, TimeProvider clock,
    IOptions<WeChatOptions> options)
{
    private static readonly TimeSpan LockFor = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan WaitStep = TimeSpan.FromMilliseconds(50);

    // Deletes the lock only if we still hold it.
    private const string ReleaseScript = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

    private RedisKey TokenKey => keys.For($"wechat:access_token:{options.Value.AppId}");

    private RedisKey LockKey => keys.For($"wechat:access_token_lock:{options.Value.AppId}");

    public Task<string> GetAsync(CancellationToken ct) => GetAsync(staleToken: null, ct);

    /// <summary>WeChat rejected <paramref name="staleToken"/>: replace it, unless another caller already has.</summary>
    public Task<string> RefreshAsync(string staleToken, CancellationToken ct) => GetAsync(staleToken, ct);

    private async Task<string> GetAsync(string? staleToken, CancellationToken ct)
    {
        if (redisHealth.IsAvailable)
        {
            try
            {
                var cached = await redis.GetDatabase().StringGetAsync(TokenKey);
                return cached.HasValue && cached != staleToken ? cached.ToString() : await FetchSharedAsync(staleToken, ct);
            }
            catch (Exception e) when (RedisHealth.IsFailure(e))
            {
                redisHealth.Report(e);
            }
        }

        return await instance.GetAsync(staleToken, FetchFromWeChatAsync, clock, ct);
    }

    private async Task<string> FetchSharedAsync(string? staleToken, CancellationToken ct)
    {
        var db = redis.GetDatabase();
        var owner = Guid.NewGuid().ToString("N");
        var deadline = DateTime.UtcNow + LockFor + LockFor;
        while (!await db.StringSetAsync(LockKey, owner, LockFor, When.NotExists))
        {
            // Someone else is fetching: wait for their token rather than asking WeChat again.
            await Task.Delay(WaitStep, ct);
            var cached = await db.StringGetAsync(TokenKey);
            if (cached.HasValue && cached != staleToken)
            {
                return cached.ToString();
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new WeChatUnavailableException("Timed out waiting for another instance to fetch the WeChat access token.");
            }
        }

        try
        {
            // Checked again under the lock: the previous holder may have just stored a fresh token.
            var current = await db.StringGetAsync(TokenKey);
            if (current.HasValue && current != staleToken)
            {
                return current.ToString();
            }

            var (token, lifetime) = await FetchFromWeChatAsync(staleToken is not null, ct);
            await db.StringSetAsync(TokenKey, token, lifetime);
            return token;
        }
        finally
        {
            await db.ScriptEvaluateAsync(ReleaseScript, [LockKey], [owner]);
        }
    }

    /// <summary>A token from WeChat itself, and how long to keep it (less a margin, so it is replaced before WeChat expires it).</summary>
    private async Task<(string Token, TimeSpan Lifetime)> FetchFromWeChatAsync(bool forceRefresh, CancellationToken ct)
    {
        var response = await ExecuteCgibinStableTokenAsync(new CgibinStableTokenRequest(ForceRefresh: forceRefresh), ct);
        if (!response.IsSuccessful() || string.IsNullOrEmpty(response.AccessToken))
        {
            // Without a token no call can be made; whatever WeChat objects to is the service's, never the caller's.
            throw new WeChatUnavailableException(
                $"WeChat refused the access token: errcode {response.ErrorCode} ({response.ErrorMessage}).", errorCode: response.ErrorCode);
        }

        return (response.AccessToken, TimeSpan.FromSeconds(Math.Max(60, response.ExpiresIn - options.Value.TokenRefreshMarginSeconds)));
    }

    public Task<CgibinStableTokenResponse> ExecuteCgibinStableTokenAsync(CgibinStableTokenRequest request, CancellationToken ct)
    {
        var o = options.Value;
        var body = new { grant_type = "client_credential", appid = o.AppId, secret = o.AppSecret, force_refresh = request.ForceRefresh };
        return http.SendAsync<CgibinStableTokenResponse>(
            () => new HttpRequestMessage(HttpMethod.Post, "/cgi-bin/stable_token") { Content = JsonContent.Create(body) }, ct);
    }
}

/// <summary>
/// The access token as this instance alone keeps it, for while Redis does not answer: one fetch at a time in the
/// instance, a token replaced when it runs out or WeChat rejects it.
/// </summary>
public sealed class InstanceAccessToken : IDisposable
{
    private readonly SemaphoreSlim _fetching = new(1, 1);
    private volatile Kept? _kept;

    public async Task<string> GetAsync(
        string? staleToken, Func<bool, CancellationToken, Task<(string Token, TimeSpan Lifetime)>> fetch, TimeProvider clock, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(fetch);
        ArgumentNullException.ThrowIfNull(clock);
        if (Usable(staleToken, clock) is { } kept)
        {
            return kept;
        }

        await _fetching.WaitAsync(ct);
        try
        {
            if (Usable(staleToken, clock) is { } fetchedMeanwhile)
            {
                return fetchedMeanwhile;
            }

            var (token, lifetime) = await fetch(staleToken is not null, ct);
            _kept = new Kept(token, clock.GetUtcNow() + lifetime);
            return token;
        }
        finally
        {
            _fetching.Release();
        }
    }

    private string? Usable(string? staleToken, TimeProvider clock) =>
        _kept is { } kept && kept.Until > clock.GetUtcNow() && kept.Token != staleToken ? kept.Token : null;

    public void Dispose() => _fetching.Dispose();

    private sealed record Kept(string Token, DateTimeOffset Until);
}
