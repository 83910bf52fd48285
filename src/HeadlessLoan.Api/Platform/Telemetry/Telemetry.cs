using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace HeadlessLoan.Api.Platform.Telemetry;

public sealed class TelemetryOptions
{
    public const string Section = "Telemetry";

    /// <summary><c>none</c>, <c>console</c> or <c>otlp</c> (endpoint from the standard OTEL_EXPORTER_OTLP_ENDPOINT).</summary>
    public string Exporter { get; init; } = "none";

    /// <summary>One JSON object per log line, for log shippers.</summary>
    public bool JsonLogs { get; init; }
}

public static class Telemetry
{
    public const string ServiceName = "headless-loan-api";

    public static WebApplicationBuilder AddTelemetry(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new();
        if (options.JsonLogs)
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddJsonConsole(o => o.IncludeScopes = true);
        }

        var exporter = options.Exporter.ToLowerInvariant();
        if (exporter is not ("none" or "console" or "otlp"))
        {
            throw new InvalidOperationException($"Telemetry:Exporter must be none, console or otlp (was '{options.Exporter}').");
        }

        if (exporter == "none")
        {
            return builder; // nothing would receive the spans: do not pay for recording them
        }

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(ServiceName))
            .WithTracing(tracing =>
            {
                tracing.AddAspNetCoreInstrumentation(o => o.Filter = ctx => !ctx.Request.Path.StartsWithSegments("/health", StringComparison.Ordinal));
                if (exporter == "console")
                {
                    tracing.AddConsoleExporter();
                }
                else
                {
                    tracing.AddOtlpExporter();
                }
            });
        return builder;
    }
}
