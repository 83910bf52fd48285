using System.Net.Http.Json;
using HeadlessLoan.Api.Platform.Database;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace HeadlessLoan.Api.Integrations.WeChat;

/// <summary>
/// The mini-program's access token, shared by every instance through Redis. One instance at a time fetches a
/// new one (a Redis lock with expiry); the others wait for the value instead of stampeding WeChat, which
/// limits token calls per day. Uses <c>/cgi-bin/stable_token</c>, which is safe with several callers.
/// </summary>
public sealed class WeChatAccessTokens(WeChatHttp http, IConnectionMultiplexer redis, RedisKeys keys, IOptions<WeChatOptions> options)
{
    private static readonly TimeSpan LockFor = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan WaitStep = TimeSpan.FromMilliseconds(50);

    // Deletes the lock only if we still hold it.
    private const string ReleaseScript = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

    private RedisKey TokenKey => keys.For($"wechat:access_token:{options.Value.AppId}");

    private RedisKey LockKey => keys.For($"wechat:access_token_lock:{options.Value.AppId}");

    public async Task<string> GetAsync(CancellationToken ct)
    {
        var cached = await redis.GetDatabase().StringGetAsync(TokenKey);
        return cached.HasValue ? cached.ToString() : await FetchAsync(staleToken: null, ct);
    }

    /// <summary>WeChat rejected <paramref name="staleToken"/>: replace it, unless another caller already has.</summary>
    public async Task<string> RefreshAsync(string staleToken, CancellationToken ct)
    {
        var cached = await redis.GetDatabase().StringGetAsync(TokenKey);
        return cached.HasValue && cached != staleToken ? cached.ToString() : await FetchAsync(staleToken, ct);
    }

    private async Task<string> FetchAsync(string? staleToken, CancellationToken ct)
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

            var response = await ExecuteCgibinStableTokenAsync(new CgibinStableTokenRequest(ForceRefresh: staleToken is not null), ct);
            if (!response.IsSuccessful() || string.IsNullOrEmpty(response.AccessToken))
            {
                // Without a token no call can be made; whatever WeChat objects to is the service's, never the caller's.
                throw new WeChatUnavailableException(
                    $"WeChat refused the access token: errcode {response.ErrorCode} ({response.ErrorMessage}).", errorCode: response.ErrorCode);
            }

            var lifetime = TimeSpan.FromSeconds(Math.Max(60, response.ExpiresIn - options.Value.TokenRefreshMarginSeconds));
            await db.StringSetAsync(TokenKey, response.AccessToken, lifetime);
            return response.AccessToken;
        }
        finally
        {
            await db.ScriptEvaluateAsync(ReleaseScript, [LockKey], [owner]);
        }
    }

    public Task<CgibinStableTokenResponse> ExecuteCgibinStableTokenAsync(CgibinStableTokenRequest request, CancellationToken ct)
    {
        var o = options.Value;
        var body = new { grant_type = "client_credential", appid = o.AppId, secret = o.AppSecret, force_refresh = request.ForceRefresh };
        return http.SendAsync<CgibinStableTokenResponse>(
            () => new HttpRequestMessage(HttpMethod.Post, "/cgi-bin/stable_token") { Content = JsonContent.Create(body) }, ct);
    }
}
