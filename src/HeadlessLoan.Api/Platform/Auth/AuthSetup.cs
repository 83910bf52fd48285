using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

namespace HeadlessLoan.Api.Platform.Auth;

public static class AuthSetup
{
    /// <summary>Chooses the API-key scheme when <c>X-Api-Key</c> is sent, bearer tokens otherwise.</summary>
    private const string SelectorScheme = "bearer_or_api_key";

    public static WebApplicationBuilder AddAuth(this WebApplicationBuilder builder)
    {
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddScoped(sp => CurrentCaller.From(sp.GetRequiredService<IHttpContextAccessor>().HttpContext!.User));
        var services = builder.Services;
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var auth = builder.Configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();

        services.AddAuthentication(SelectorScheme)
            .AddPolicyScheme(SelectorScheme, "Bearer token or channel API key", o =>
                o.ForwardDefaultSelector = ctx => ctx.Request.Headers.ContainsKey(ApiKeyAuthenticationHandler.HeaderName)
                    ? ApiKeyAuthenticationHandler.SchemeName
                    : JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(o =>
            {
                o.MapInboundClaims = false;
                o.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = auth.Issuer,
                    ValidAudience = auth.Audience,
                    IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(auth.SigningKey.PadRight(32))),
                    NameClaimType = Caller.NameClaim,
                    RoleClaimType = Caller.RoleClaim,
                    ClockSkew = TimeSpan.FromSeconds(30),
                };
                o.Events = new JwtBearerEvents { OnTokenValidated = RefuseRevokedAsync };
            })
            .AddScheme<ApiKeyAuthenticationOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, _ => { });

        // Tokens are issued on the injected clock, so their lifetime is checked on it too (not on DateTime.UtcNow).
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).Configure<TimeProvider>((o, clock) =>
            o.TokenValidationParameters.LifetimeValidator = (notBefore, expires, _, p) =>
            {
                var now = clock.GetUtcNow().UtcDateTime;
                return expires is { } exp && now <= exp.ToUniversalTime() + p.ClockSkew
                    && (notBefore is not { } nb || nb.ToUniversalTime() <= now + p.ClockSkew);
            });

        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Admin, p => p.RequireAuthenticatedUser().RequireClaim(Caller.KindClaim, Caller.Staff).RequireRole(Roles.Admin))
            .AddPolicy(Policies.Auditor, p => p.RequireAuthenticatedUser().RequireClaim(Caller.KindClaim, Caller.Staff).RequireRole(Roles.Auditor, Roles.Admin))
            .AddPolicy(Policies.Staff, p => p.RequireAuthenticatedUser().RequireClaim(Caller.KindClaim, Caller.Staff))
            .AddPolicy(Policies.Borrower, p => p.RequireAuthenticatedUser().RequireClaim(Caller.KindClaim, Caller.Borrower))
            .AddPolicy(Policies.AnyCaller, p => p.RequireAuthenticatedUser())
            .AddPolicy(Policies.Applicant, p => p.RequireAuthenticatedUser().RequireClaim(Caller.KindClaim, Caller.Borrower, Caller.Channel))
            .AddPolicy(Policies.Approver, p => p.RequireAuthenticatedUser().RequireClaim(Caller.KindClaim, Caller.Staff)
                .RequireRole(Roles.Admin, Roles.RiskOfficer, Roles.DeptHead))
            .AddPolicy(Policies.Supervisor, p => p.RequireAuthenticatedUser().RequireClaim(Caller.KindClaim, Caller.Staff)
                .RequireRole(Roles.Supervisors));

        services.AddSingleton<TokenIssuer>();
        services.AddSingleton<UnknownApiKeys>();
        return builder;
    }

    /// <summary>A token of a kind whose accounts can revoke their tokens is checked on every request; a revoked one is a 401.</summary>
    private static async Task RefuseRevokedAsync(TokenValidatedContext context)
    {
        var user = context.Principal!;
        var revocation = context.HttpContext.RequestServices.GetServices<ITokenRevocation>().FirstOrDefault(r => r.Kind == user.Kind());
        if (revocation is null)
        {
            return;
        }

        if (!Guid.TryParse(user.Id(), out var subject)
            || !int.TryParse(user.FindFirst(Caller.TokenVersionClaim)?.Value, System.Globalization.CultureInfo.InvariantCulture, out var version)
            || !await revocation.IsCurrentAsync(subject, version, context.HttpContext.RequestAborted))
        {
            context.Fail("The token was revoked.");
        }
    }
}
