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

        services.AddSingleton<DatabaseHealth>();
        services.AddSingleton(sp => new MySqlDataSourceBuilder(PooledConnectionString(configuration.GetConnectionString("Database") ?? ""))
            .UseConnectionOpenedCallback(sp.GetRequiredService<DatabaseHealth>().CheckAsync)
            .Build());
        services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(RedisOptions(configuration.GetConnectionString("Redis") ?? "")));
        services.AddSingleton<RedisHealth>();
        services.AddHostedService(sp => sp.GetRequiredService<RedisHealth>());
        services.AddSingleton<RedisKeys>();
        services.AddSingleton<ApplicationAccount>();
        services.AddSingleton<MigrationRunner>();
        services.AddSingleton<MigrationState>();
        services.AddHostedService<DatabaseStartup>();
        // After the schema is there: the watcher connects as the service does.
        services.AddHostedService(sp => sp.GetRequiredService<DatabaseHealth>());
        return services;
    }

    /// <summary>
    /// Redis as the service uses it: no request waits for Redis to come back — a command fails at once while the
    /// connection is down, and a Redis that is connected but silent is given up on after a second; each use decides what
    /// it does without Redis (docs/architecture.md, section 7). The connection is made again by itself every half second.
    /// The start goes on while Redis is away (readiness says so). Timeouts the configuration string sets are kept.
    /// </summary>
    public static ConfigurationOptions RedisOptions(string configured)
    {
        var options = ConfigurationOptions.Parse(configured);
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ReconnectRetryPolicy = new LinearRetry(500);
        var set = configured.Split(',').Select(p => p.Split('=')[0].Trim()).ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (!set.Contains("connectTimeout"))
        {
            options.ConnectTimeout = 1000;
        }

        if (!set.Contains("syncTimeout"))
        {
            options.SyncTimeout = 1000;
        }

        if (!set.Contains("asyncTimeout"))
        {
            options.AsyncTimeout = 1000;
        }

        return options;
    }

    /// <summary>
    /// The service keeps no session state (no user variables, no session settings, every transaction ends before
    /// its connection goes back), so a pooled connection need not be reset on every open: that reset is a server
    /// round trip per open and dominated short requests (connections a restart broke are caught by
    /// <see cref="DatabaseHealth"/> instead). A connection is waited for 2 seconds, not 15: a database that does not
    /// take connections is answered for at once (503, come back), not after each request has waited in turn. A
    /// connection string that sets either keeps its choice.
    /// </summary>
    public static string PooledConnectionString(string configured)
    {
        var builder = new MySqlConnectionStringBuilder(configured);
        if (!builder.ContainsKey("Connection Reset"))
        {
            builder.ConnectionReset = false;
        }

        if (!builder.ContainsKey("Connection Timeout"))
        {
            builder.ConnectionTimeout = 2;
        }

        return builder.ConnectionString;
    }
}
