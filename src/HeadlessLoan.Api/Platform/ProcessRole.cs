namespace HeadlessLoan.Api.Platform;

/// <summary>What one process of the service does; one executable, started as many times as a deployment needs.</summary>
public enum ProcessRole
{
    /// <summary>The HTTP API and the background workers (the default: one process does everything).</summary>
    All,

    /// <summary>The HTTP API only: background work is left to worker processes.</summary>
    Api,

    /// <summary>The background workers only; HTTP answers the health endpoints and nothing else.</summary>
    Worker,
}

public static class ProcessRoles
{
    public const string Setting = "Process:Role";

    /// <summary>The role from <c>Process:Role</c>; a value that is not a role stops the start with a message naming the setting.</summary>
    public static ProcessRole Of(IConfiguration configuration)
    {
        var value = configuration[Setting];
        if (string.IsNullOrWhiteSpace(value))
        {
            return ProcessRole.All;
        }

        return Enum.TryParse<ProcessRole>(value.Trim(), ignoreCase: true, out var role) && Enum.IsDefined(role)
            ? role
            : throw new InvalidOperationException($"{Setting} must be All, Api or Worker (was '{value}').");
    }

    public static bool ServesApi(this IConfiguration configuration) => Of(configuration) != ProcessRole.Worker;

    public static bool RunsWorkers(this IConfiguration configuration) => Of(configuration) != ProcessRole.Api;

    /// <summary>Registers a background worker, unless this process serves the API only.</summary>
    public static IServiceCollection AddBackgroundWorker<TWorker>(this IServiceCollection services, IConfiguration configuration)
        where TWorker : class, IHostedService
    {
        if (configuration.RunsWorkers())
        {
            services.AddHostedService(sp => sp.GetRequiredService<TWorker>());
        }

        return services;
    }
}
