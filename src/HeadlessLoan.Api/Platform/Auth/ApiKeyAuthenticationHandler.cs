using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using HeadlessLoan.Api.Platform.Network;

namespace HeadlessLoan.Api.Platform.Auth;

public sealed class ApiKeyAuthenticationOptions : AuthenticationSchemeOptions;

/// <summary>Third-party channels authenticate with <c>X-Api-Key</c>; only the key's SHA-256 is stored.</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<ApiKeyAuthenticationOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IApiKeyCallers callers,
    UnknownApiKeys unknown) : AuthenticationHandler<ApiKeyAuthenticationOptions>(options, logger, encoder)
{
    public const string SchemeName = "api_key";
    public const string HeaderName = "X-Api-Key";
    public const string KeyIdClaim = "api_key_id";
    public const string RateLimitClaim = "rate_limit_per_minute";

    private TimeSpan? _refusedFor;

    /// <summary>An address refused for its unknown keys is told to come back, as any rate limit does (429, <c>Retry-After</c>).</summary>
    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (_refusedFor is not { } wait)
        {
            return base.HandleChallengeAsync(properties);
        }

        Response.StatusCode = StatusCodes.Status429TooManyRequests;
        Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Task.CompletedTask;
    }

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(HeaderName, out var values))
        {
            return AuthenticateResult.NoResult();
        }

        var presented = values.ToString();
        var address = ClientAddress.Of(Context) ?? "unknown";
        if (unknown.Refused(address) is { } wait)
        {
            _refusedFor = wait;
            return AuthenticateResult.Fail("Too many unknown API keys from this address.");
        }

        var found = unknown.IsKnownUnknown(presented) ? null : await callers.FindAsync(presented, Context.RequestAborted);
        if (found is null)
        {
            unknown.Record(presented, address);
            return AuthenticateResult.Fail("Malformed, unknown or revoked API key.");
        }

        var identity = new ClaimsIdentity(
        [
            new Claim(Caller.SubjectClaim, found.ChannelId.ToString()),
            new Claim(Caller.KindClaim, Caller.Channel),
            new Claim(Caller.NameClaim, found.ChannelName),
            new Claim(KeyIdClaim, found.KeyId.ToString()),
            new Claim(RateLimitClaim, found.RateLimitPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ], SchemeName, Caller.NameClaim, Caller.RoleClaim);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }
}
