using System.Text.Json;
using System.Text.Json.Serialization;
using HeadlessLoan.Api.Applications;
using HeadlessLoan.Api.Approvals;
using HeadlessLoan.Api.Audit;
using HeadlessLoan.Api.Decisions;
using HeadlessLoan.Api.Infrastructure.Contract;
using HeadlessLoan.Api.Infrastructure.Database;
using HeadlessLoan.Api.Infrastructure.Errors;
using HeadlessLoan.Api.Infrastructure.Health;
using HeadlessLoan.Api.Infrastructure.Idempotency;
using HeadlessLoan.Api.Infrastructure.Observability;
using HeadlessLoan.Api.Infrastructure.RateLimiting;
using HeadlessLoan.Api.Privacy;
using HeadlessLoan.Api.Products;
using HeadlessLoan.Api.Schedules;
using HeadlessLoan.Api.WeChat;
using Microsoft.AspNetCore.Http.Json;

namespace HeadlessLoan.Api.Infrastructure;

/// <summary>Cross-cutting wiring shared by every feature: storage, errors, JSON, limits, telemetry.</summary>
public static class ServiceDefaults
{
    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);

        var limits = builder.Configuration.GetSection(RequestLimitsOptions.Section).Get<RequestLimitsOptions>() ?? new();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = limits.MaxRequestBodyBytes;
        });

        services.AddStorage(builder.Configuration);
        services.AddAuditTrail(builder.Configuration);
        services.AddProblemResponses();
        services.Configure<JsonOptions>(o => ConfigureJson(o.SerializerOptions));
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddOpenApiDescription();
        services.AddSharedRateLimits(builder.Configuration);
        services.AddIdempotency();
        services.AddReadinessChecks();
        services.AddProductRules(builder.Configuration);
        services.AddSingleton<QuoteCache>();
        services.AddPersonalDataProtection();
        services.AddWeChat(builder.Configuration);
        services.AddApplications();
        services.AddIntakeDecisions(builder.Configuration);
        services.AddApprovals(builder.Configuration);
        builder.AddTelemetry();
        return builder;
    }

    public static WebApplication UseServiceDefaults(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        var limits = app.Configuration.GetSection(RequestLimitsOptions.Section).Get<RequestLimitsOptions>() ?? new();
        app.UseMiddleware<RequestBodyLimitMiddleware>(limits.MaxRequestBodyBytes);
        app.UseMiddleware<IdempotencyMiddleware>();
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
