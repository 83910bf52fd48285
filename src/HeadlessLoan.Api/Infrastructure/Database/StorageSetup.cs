using System.ComponentModel.DataAnnotations;
using MySqlConnector;
using StackExchange.Redis;

namespace HeadlessLoan.Api.Infrastructure.Database;

/// <summary>Connection settings; bound from the standard ConnectionStrings section.</summary>
public sealed class StorageOptions
{
    public const string Section = "ConnectionStrings";

    [Required(ErrorMessage = "ConnectionStrings:Database is required (a MySQL/MariaDB connection string).")]
    public string Database { get; init; } = "";

    [Required(ErrorMessage = "ConnectionStrings:Redis is required (a StackExchange.Redis configuration string).")]
    public string Redis { get; init; } = "";
}

/// <summary>Settings for schema migration at start-up.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary>Apply pending migrations when the service starts (several instances coordinate through a lock).</summary>
    public bool MigrateOnStart { get; init; } = true;

    /// <summary>Create the database itself when missing; meant for development and tests.</summary>
    public bool CreateIfMissing { get; init; }
}

public static class StorageSetup
{
    public static IServiceCollection AddStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section);

        services.AddSingleton(sp =>
        {
            var cs = configuration.GetConnectionString("Database") ?? "";
            return new MySqlDataSourceBuilder(cs).Build();
        });
        services.AddSingleton<IConnectionMultiplexer>(_ =>
        {
            var options = ConfigurationOptions.Parse(configuration.GetConnectionString("Redis") ?? "");
            // Keep starting while Redis is briefly away; readiness reports it instead.
            options.AbortOnConnectFail = false;
            return ConnectionMultiplexer.Connect(options);
        });
        services.AddSingleton<RedisKeys>();
        services.AddSingleton<MigrationRunner>();
        services.AddSingleton<MigrationState>();
        services.AddHostedService<DatabaseStartup>();
        return services;
    }
}
