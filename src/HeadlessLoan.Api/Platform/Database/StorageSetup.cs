using System.ComponentModel.DataAnnotations;
using MySqlConnector;
using StackExchange.Redis;

namespace HeadlessLoan.Api.Platform.Database;

/// <summary>Connection settings; bound from the standard ConnectionStrings section.</summary>
public sealed class StorageOptions
{
    public const string Section = "ConnectionStrings";

    [Required(ErrorMessage = "ConnectionStrings:Database is required (a MySQL/MariaDB connection string).")]
    public string Database { get; init; } = "";

    [Required(ErrorMessage = "ConnectionStrings:Redis is required (a StackExchange.Redis configuration string).")]
    public string Redis { get; init; } = "";

    /// <summary>
    /// A privileged account for migrations (DDL and grants), on the same database. When set, the service itself runs
    /// as the restricted account of <see cref="Database"/>, which the migrations grant exactly what it needs.
    /// </summary>
    public string? Migrations { get; init; }

    /// <summary>The connection migrations run on: the privileged one when configured.</summary>
    public string MigrationConnection => string.IsNullOrWhiteSpace(Migrations) ? Database : Migrations;
}

/// <summary>Settings for schema migration at start-up.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary>Apply pending migrations when the service starts (several instances coordinate through a lock).</summary>
    public bool MigrateOnStart { get; init; } = true;

    /// <summary>Create the database itself when missing; meant for development and tests.</summary>
    public bool CreateIfMissing { get; init; }

    /// <summary>The host part of the application's account (<c>'user'@'host'</c>) that migrations grant to.</summary>
    public string ApplicationHost { get; init; } = "%";
}

public static class StorageSetup
{
    public static IServiceCollection AddStorage(this IServiceCollection services, IConfiguration configuration)
    {
        // Columns are snake_case, properties PascalCase: created_at fills CreatedAt without an alias in every query.
        Dapper.DefaultTypeMap.MatchNamesWithUnderscores = true;
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section);

        services.AddSingleton(sp =>
        {
            return new MySqlDataSourceBuilder(PooledConnectionString(configuration.GetConnectionString("Database") ?? "")).Build();
        });
        services.AddSingleton<IConnectionMultiplexer>(_ =>
        {
            var options = ConfigurationOptions.Parse(configuration.GetConnectionString("Redis") ?? "");
            // Keep starting while Redis is briefly away; readiness reports it instead.
            options.AbortOnConnectFail = false;
            return ConnectionMultiplexer.Connect(options);
        });
        services.AddSingleton<RedisKeys>();
        services.AddSingleton<ApplicationAccount>();
        services.AddSingleton<MigrationRunner>();
        services.AddSingleton<MigrationState>();
        services.AddHostedService<DatabaseStartup>();
        return services;
    }

    /// <summary>
    /// The service keeps no session state (no user variables, no session settings, every transaction ends before
    /// its connection goes back), so a pooled connection need not be reset on every open: that reset is a server
    /// round trip per open and dominated short requests. A connection string that sets it keeps its choice.
    /// </summary>
    public static string PooledConnectionString(string configured)
    {
        var builder = new MySqlConnectionStringBuilder(configured);
        if (!builder.ContainsKey("Connection Reset"))
        {
            builder.ConnectionReset = false;
        }

        return builder.ConnectionString;
    }
}
