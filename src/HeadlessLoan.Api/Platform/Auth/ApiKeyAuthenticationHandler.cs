using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace HeadlessLoan.Api.Platform.Auth;

public sealed class ApiKeyAuthenticationOptions : AuthenticationSchemeOptions;

/// <summary>Third-party channels authenticate with <c>X-Api-Key</c>; only the key's SHA-256 is stored.</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<ApiKeyAuthenticationOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IApiKeyCallers callers) : AuthenticationHandler<ApiKeyAuthenticationOptions>(options, logger, encoder)
{
    public const string SchemeName = "api_key";
    public const string HeaderName = "X-Api-Key";
    public const string KeyIdClaim = "api_key_id";
    public const string RateLimitClaim = "rate_limit_per_minute";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(HeaderName, out var values))
        {
            return AuthenticateResult.NoResult();
        }

        var found = await callers.FindAsync(values.ToString(), Context.RequestAborted);
        if (found is null)
        {
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
