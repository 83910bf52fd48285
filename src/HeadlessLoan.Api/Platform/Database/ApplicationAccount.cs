using Dapper;
using Microsoft.Extensions.Options;
using MySqlConnector;

namespace HeadlessLoan.Api.Platform.Database;

/// <summary>
/// Grants the service's own database account its privileges table by table after every migration run (only SELECT
/// and INSERT on append-only tables); see docs/audit.md for why table by table.
/// </summary>
public sealed partial class ApplicationAccount(IOptions<StorageOptions> storage, IOptions<DatabaseOptions> options, ILogger<ApplicationAccount> logger)
{
    public const string AppendOnlyComment = "append-only";

    /// <summary>Grants on the migration connection; does nothing (but say so) when the service and migrations share one account.</summary>
    public async Task GrantAsync(MySqlConnection migrations, CancellationToken ct)
    {
        var app = new MySqlConnectionStringBuilder(storage.Value.Database);
        var migrator = new MySqlConnectionStringBuilder(storage.Value.MigrationConnection);
        if (string.Equals(app.UserID, migrator.UserID, StringComparison.Ordinal))
        {
            LogSharedAccount(logger, app.UserID);
            return;
        }

        if (!string.Equals(app.Database, migrator.Database, StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:Migrations names database '{migrator.Database}' but ConnectionStrings:Database names '{app.Database}'; they must be the same.");
        }

        var account = $"{Quote(app.UserID)}@{Quote(options.Value.ApplicationHost)}";
        var grantee = $"'{app.UserID}'@'{options.Value.ApplicationHost}'";
        var databaseWide = await migrations.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE = @grantee AND TABLE_SCHEMA = DATABASE()",
            new { grantee }, cancellationToken: ct));
        if (databaseWide > 0)
        {
            throw new InvalidOperationException(
                $"The application account {account} holds privileges on the whole database, so append-only tables would not be append-only. " +
                "Revoke them; the migrations grant it what it needs table by table.");
        }

        var tables = await migrations.QueryAsync<(string Name, string Comment)>(new CommandDefinition("""
            SELECT TABLE_NAME, TABLE_COMMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE'
            """, cancellationToken: ct));
        foreach (var (name, comment) in tables)
        {
            var table = "`" + name.Replace("`", "``", StringComparison.Ordinal) + "`";
            var appendOnly = string.Equals(comment, AppendOnlyComment, StringComparison.Ordinal);
            var privileges = name == "schema_migrations" ? "SELECT" : appendOnly ? "SELECT, INSERT" : "SELECT, INSERT, UPDATE, DELETE";
            await migrations.ExecuteAsync(new CommandDefinition($"GRANT {privileges} ON {table} TO {account}", cancellationToken: ct));
            if (appendOnly || name == "schema_migrations")
            {
                // A table that became append-only keeps no privilege granted before.
                var extra = (await migrations.QueryAsync<string>(new CommandDefinition("""
                    SELECT PRIVILEGE_TYPE FROM information_schema.TABLE_PRIVILEGES
                     WHERE GRANTEE = @grantee AND TABLE_SCHEMA = DATABASE() AND TABLE_NAME = @name AND PRIVILEGE_TYPE IN ('UPDATE', 'DELETE', 'INSERT')
                    """, new { grantee, name }, cancellationToken: ct))).Where(p => !(appendOnly && p == "INSERT")).ToList();
                if (extra.Count > 0)
                {
                    await migrations.ExecuteAsync(new CommandDefinition($"REVOKE {string.Join(", ", extra)} ON {table} FROM {account}", cancellationToken: ct));
                }
            }
        }
    }

    private static string Quote(string value) => "'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "''", StringComparison.Ordinal) + "'";

    [LoggerMessage(Level = LogLevel.Warning, Message = "The service and its migrations share the database account {User}: nothing stops it from changing the audit trail. Set ConnectionStrings:Migrations to a privileged account and give the service a restricted one.")]
    private static partial void LogSharedAccount(ILogger logger, string user);
}
