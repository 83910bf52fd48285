using System.Security.Claims;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace HeadlessLoan.Api.Platform.Auth;

public sealed record IssuedToken(string AccessToken, int ExpiresIn);

/// <summary>Signs short-lived access tokens for staff and borrowers.</summary>
public sealed class TokenIssuer(IOptions<AuthOptions> options, TimeProvider clock)
{
    private readonly JsonWebTokenHandler _handler = new();
    private readonly SigningCredentials _credentials = new(
        new SymmetricSecurityKey(Encoding.UTF8.GetBytes(options.Value.SigningKey.PadRight(32))), SecurityAlgorithms.HmacSha256);

    /// <param name="version">The account's token version, for kinds whose tokens are revocable (<see cref="ITokenRevocation"/>).</param>
    public IssuedToken Issue(string kind, string subject, string name, IEnumerable<string> roles, int? version = null)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var lifetime = TimeSpan.FromMinutes(options.Value.TokenLifetimeMinutes);
        var claims = new List<Claim>
        {
            new(Caller.SubjectClaim, subject),
            new(Caller.KindClaim, kind),
            new(Caller.NameClaim, name),
            new(JwtRegisteredClaimNames.Jti, Guid.NewGuid().ToString("N")),
        };
        claims.AddRange(roles.Select(r => new Claim(Caller.RoleClaim, r)));
        if (version is { } v)
        {
            claims.Add(new Claim(Caller.TokenVersionClaim, v.ToString(System.Globalization.CultureInfo.InvariantCulture), ClaimValueTypes.Integer32));
        }

        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity(claims),
            Issuer = options.Value.Issuer,
            Audience = options.Value.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            SigningCredentials = _credentials,
        });
        return new IssuedToken(token, (int)lifetime.TotalSeconds);
    }
}
