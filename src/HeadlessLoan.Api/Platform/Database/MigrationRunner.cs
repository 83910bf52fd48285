using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.Extensions.Options;
using MySqlConnector;

namespace HeadlessLoan.Api.Platform.Database;

/// <summary>
/// Applies the embedded <c>Migrations/NNNN_name.sql</c> files in order, recording each with its checksum.
/// An applied file that has since changed stops the start: history is never rewritten silently. Migrations run on
/// <c>ConnectionStrings:Migrations</c> when it is set, and then grant the application's own account its privileges.
/// </summary>
public sealed partial class MigrationRunner(
    MySqlDataSource dataSource, ApplicationAccount account, IOptions<StorageOptions> storage, ILogger<MigrationRunner> logger)
{
    private const string LockName = "headless_loan.migrations";

    public sealed record Migration(string Version, string Sql, string Checksum);

    public static IReadOnlyList<Migration> Embedded()
    {
        var assembly = typeof(MigrationRunner).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("Migrations.", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n => Read(assembly, n))
            .ToList();
    }

    private static Migration Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var sql = reader.ReadToEnd().Replace("\r\n", "\n", StringComparison.Ordinal);
        var version = resource["Migrations.".Length..^".sql".Length];
        var checksum = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql)));
        return new Migration(version, sql, checksum);
    }

    public async Task ApplyAsync(CancellationToken ct)
    {
        await using var conn = new MySqlConnection(storage.Value.MigrationConnection);
        await conn.OpenAsync(ct);
        // A named lock lets several instances start together; only one migrates.
        var locked = await conn.ExecuteScalarAsync<int?>(new CommandDefinition("SELECT GET_LOCK(@LockName, 120)", new { LockName }, cancellationToken: ct));
        if (locked != 1)
        {
            throw new InvalidOperationException("Could not take the migration lock within 120 s.");
        }

        try
        {
            await conn.ExecuteAsync(new CommandDefinition(CreateHistorySql, cancellationToken: ct));
            var applied = (await conn.QueryAsync<(string Version, string Checksum)>(
                new CommandDefinition("SELECT version, checksum FROM schema_migrations", cancellationToken: ct)))
                .ToDictionary(r => r.Version, r => r.Checksum, StringComparer.Ordinal);

            foreach (var migration in Embedded())
            {
                if (applied.TryGetValue(migration.Version, out var checksum))
                {
                    if (!string.Equals(checksum, migration.Checksum, StringComparison.Ordinal))
                    {
                        throw new InvalidOperationException(
                            $"Migration {migration.Version} was changed after it was applied (checksum {checksum} in the database, {migration.Checksum} now). Add a new migration instead.");
                    }

                    continue;
                }

                LogApplying(logger, migration.Version);
                await conn.ExecuteAsync(new CommandDefinition(migration.Sql, commandTimeout: 300, cancellationToken: ct));
                await conn.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO schema_migrations (version, checksum, applied_at) VALUES (@Version, @Checksum, UTC_TIMESTAMP(6))",
                    new { migration.Version, migration.Checksum }, cancellationToken: ct));
            }

            await account.GrantAsync(conn, ct);
        }
        finally
        {
            await conn.ExecuteAsync(new CommandDefinition("DO RELEASE_LOCK(@LockName)", new { LockName }, cancellationToken: CancellationToken.None));
        }
    }

    /// <summary>True when every embedded migration is recorded as applied.</summary>
    public async Task<bool> AllAppliedAsync(CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var applied = (await conn.QueryAsync<string>(new CommandDefinition("SELECT version FROM schema_migrations", cancellationToken: ct))).ToHashSet(StringComparer.Ordinal);
        return Embedded().All(m => applied.Contains(m.Version));
    }

    public static async Task CreateDatabaseIfMissingAsync(string connectionString, CancellationToken ct)
    {
        var builder = new MySqlConnectionStringBuilder(connectionString);
        var database = builder.Database;
        if (string.IsNullOrEmpty(database) || database.Contains('`', StringComparison.Ordinal))
        {
            throw new InvalidOperationException("ConnectionStrings:Database must name a database.");
        }

        builder.Database = "";
        await using var conn = new MySqlConnection(builder.ConnectionString);
        await conn.OpenAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(
            $"CREATE DATABASE IF NOT EXISTS `{database}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci", cancellationToken: ct));
    }

    private const string CreateHistorySql = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
          version    VARCHAR(200) NOT NULL PRIMARY KEY,
          checksum   CHAR(64)     NOT NULL,
          applied_at DATETIME(6)  NOT NULL
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
        """;

    [LoggerMessage(Level = LogLevel.Information, Message = "Applying migration {Version}")]
    private static partial void LogApplying(ILogger logger, string version);
}
