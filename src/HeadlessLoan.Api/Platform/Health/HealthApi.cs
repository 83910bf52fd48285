using HeadlessLoan.Api.Platform.Database;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using MySqlConnector;
using StackExchange.Redis;

namespace HeadlessLoan.Api.Platform.Health;

public sealed record HealthResponse(string Status, IReadOnlyDictionary<string, string> Checks);

/// <summary>
/// <c>/health/live</c>: the process answers. <c>/health/ready</c>: MariaDB answers and the schema is current — a load
/// balancer sends traffic only then. A Redis that does not answer makes readiness <c>degraded</c>, still 200, with
/// <c>redis</c> named unhealthy: the service serves without it, and were every instance taken out of the load balancer
/// for it, nothing would be served at all.
/// </summary>
public static class HealthApi
{
    private const string ReadyTag = "ready";

    public static IServiceCollection AddReadinessChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<DatabaseCheck>("database", tags: [ReadyTag])
            .AddCheck<RedisCheck>("redis", failureStatus: HealthStatus.Degraded, tags: [ReadyTag])
            .AddCheck<MigrationsCheck>("migrations", tags: [ReadyTag]);
        return services;
    }

    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/health").WithTags("Health").AllowAnonymous();
        group.MapGet("/live", Live).WithName("GetLiveness").WithSummary("The process is up");
        group.MapGet("/ready", Ready).WithName("GetReadiness").WithSummary("Database, Redis and schema are ready")
            .Produces<HealthResponse>(StatusCodes.Status200OK)
            .Produces<HealthResponse>(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    private static readonly HealthResponse LiveResponse = new("healthy", new Dictionary<string, string>());

    public static Ok<HealthResponse> Live() => TypedResults.Ok(LiveResponse);

    public static async Task<IResult> Ready(HealthCheckService health, CancellationToken ct)
    {
        var report = await health.CheckHealthAsync(c => c.Tags.Contains(ReadyTag), ct);
        var body = new HealthResponse(
            report.Status switch { HealthStatus.Healthy => "healthy", HealthStatus.Degraded => "degraded", _ => "unhealthy" },
            report.Entries.ToDictionary(e => e.Key, e => e.Value.Status == HealthStatus.Healthy ? "healthy" : "unhealthy", StringComparer.Ordinal));
        return report.Status != HealthStatus.Unhealthy
            ? TypedResults.Ok(body)
            : TypedResults.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    private sealed class DatabaseCheck(MySqlDataSource db) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await using var conn = await db.OpenConnectionAsync(cancellationToken);
                return await conn.PingAsync(cancellationToken) ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("ping failed");
            }
            catch (MySqlException e)
            {
                return HealthCheckResult.Unhealthy("unreachable", e);
            }
        }
    }

    private sealed class RedisCheck(IConnectionMultiplexer redis) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await redis.GetDatabase().PingAsync();
                return HealthCheckResult.Healthy();
            }
            catch (Exception e) when (RedisHealth.IsFailure(e))
            {
                return new HealthCheckResult(context.Registration.FailureStatus, "unreachable", e);
            }
        }
    }

    private sealed class MigrationsCheck(MigrationState state) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(state.Applied ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("migrations pending"));
    }
}
