using System.Text.Json;
using System.Text.Json.Serialization;
using HeadlessLoan.Api.Platform.Audit;
using HeadlessLoan.Api.Platform.Auth;
using HeadlessLoan.Api.Platform.Contract;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Platform.Errors;
using HeadlessLoan.Api.Platform.Health;
using HeadlessLoan.Api.Platform.Idempotency;
using HeadlessLoan.Api.Platform.Network;
using HeadlessLoan.Api.Platform.Privacy;
using HeadlessLoan.Api.Platform.RateLimiting;
using HeadlessLoan.Api.Platform.Secrets;
using HeadlessLoan.Api.Platform.Telemetry;
using Microsoft.AspNetCore.Http.Json;

namespace HeadlessLoan.Api.Platform;

/// <summary>What every feature stands on: storage, change recording, audit, auth, errors, JSON, limits, idempotency, telemetry.</summary>
public static class PlatformSetup
{
    public static WebApplicationBuilder AddPlatform(this WebApplicationBuilder builder)
    {
        PublishedSecrets.RefuseOutsideDevelopment(builder.Configuration, builder.Environment);
        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<Jobs.JobLeases>();

        var limits = builder.Configuration.GetSection(RequestLimitsOptions.Section).Get<RequestLimitsOptions>() ?? new();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = limits.MaxRequestBodyBytes;
        });

        services.AddForwardedClientAddress(builder.Configuration);
        services.AddStorage(builder.Configuration);
        services.AddAuditTrail(builder.Configuration);
        services.AddProblemResponses();
        services.Configure<JsonOptions>(o => ConfigureJson(o.SerializerOptions));
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddOpenApiDescription();
        services.AddSharedRateLimits(builder.Configuration);
        services.AddIdempotency();
        services.AddReadinessChecks();
        services.AddPersonalDataProtection();
        builder.AddAuth();
        builder.AddTelemetry();
        return builder;
    }

    public static WebApplication UsePlatform(this WebApplication app)
    {
        app.UseForwardedClientAddress(app.Configuration);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<NoStoreMiddleware>();
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        var limits = app.Configuration.GetSection(RequestLimitsOptions.Section).Get<RequestLimitsOptions>() ?? new();
        app.UseMiddleware<RequestBodyLimitMiddleware>(limits.MaxRequestBodyBytes);
        app.UseMiddleware<RequestCharsetMiddleware>();
        app.UseMiddleware<IdempotencyMiddleware>();
        return app;
    }

    /// <summary>The platform's own endpoints: health always; the contract, the caller and the audit trail where the API is served.</summary>
    public static WebApplication MapPlatform(this WebApplication app)
    {
        app.MapHealthApi();
        if (app.Configuration.ServesApi())
        {
            app.MapContract();
            app.MapMeApi();
            app.MapAuditApi();
        }

        return app;
    }

    /// <summary>One JSON shape for the whole API: camelCase, snake_case enum values, numbers only as numbers.</summary>
    public static void ConfigureJson(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.NumberHandling = JsonNumberHandling.Strict;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        options.Converters.Add(new JsonStringEnumConverter<Domain.Schedules.RepaymentMethod>(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
    }
}

public sealed class RequestLimitsOptions
{
    public const string Section = "Limits";

    /// <summary>Largest request body accepted; anything bigger is answered 413.</summary>
    public long MaxRequestBodyBytes { get; init; } = 1_048_576;
}
