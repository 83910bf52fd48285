using System.Collections.Concurrent;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using HeadlessLoan.Api.Audit;
using MySqlConnector;

namespace HeadlessLoan.Api.Infrastructure.Database;

/// <summary>
/// One state change: a connection and its transaction, in which the rows, the outbox events announcing them and the
/// audit records describing them are written, so all commit together or none does. Disposing without
/// <see cref="CommitAsync"/> rolls back.
/// </summary>
/// <remarks>
/// Outbox events and audit records are write-only within the change, so they are held back and sent together, in
/// one round trip before the next statement or the commit: recording a change costs no round trip of its own.
/// </remarks>
public sealed partial class DbChange : IAsyncDisposable
{
    private readonly AuditTrail _audit;
    private readonly List<(string Sql, object Values)> _held = [];

    private DbChange(MySqlConnection connection, MySqlTransaction transaction, AuditTrail audit)
    {
        Connection = connection;
        Transaction = transaction;
        _audit = audit;
    }

    public MySqlConnection Connection { get; }

    public MySqlTransaction Transaction { get; }

    public static async Task<DbChange> BeginAsync(MySqlDataSource db, AuditTrail audit, CancellationToken ct)
    {
        var connection = await db.OpenConnectionAsync(ct);
        try
        {
            return new DbChange(connection, await connection.BeginTransactionAsync(ct), audit);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public async Task<int> ExecuteAsync(string sql, object? param, CancellationToken ct)
    {
        await FlushAsync(ct);
        return await Connection.ExecuteAsync(new CommandDefinition(sql, param, Transaction, cancellationToken: ct));
    }

    public async Task<T?> ScalarAsync<T>(string sql, object? param, CancellationToken ct)
    {
        await FlushAsync(ct);
        return await Connection.ExecuteScalarAsync<T>(new CommandDefinition(sql, param, Transaction, cancellationToken: ct));
    }

    public async Task<T?> QuerySingleOrDefaultAsync<T>(string sql, object? param, CancellationToken ct)
    {
        await FlushAsync(ct);
        return await Connection.QuerySingleOrDefaultAsync<T>(new CommandDefinition(sql, param, Transaction, cancellationToken: ct));
    }

    /// <summary>Records the change in the audit trail (validated now, written with the change's next round trip).</summary>
    public Task AuditAsync(AuditEntry entry, CancellationToken ct)
    {
        var (sql, record) = _audit.Prepare(entry);
        _held.Add((sql, record));
        return Task.CompletedTask;
    }

    /// <summary>An event for the relay, announced only if this change commits.</summary>
    public Task OutboxAsync(string eventType, Guid entityId, object payload, DateTime now, CancellationToken ct)
    {
        _held.Add((OutboxSql, new { eventType, entityId, payload = JsonSerializer.Serialize(payload), now }));
        return Task.CompletedTask;
    }

    public async Task CommitAsync(CancellationToken ct)
    {
        await FlushAsync(ct);
        await Transaction.CommitAsync(ct);
    }

    private async Task FlushAsync(CancellationToken ct)
    {
        if (_held.Count == 0)
        {
            return;
        }

        var held = _held.ToArray();
        _held.Clear();
        await WriteTogetherAsync(Connection, Transaction, held, ct);
    }

    /// <summary>The outbox insert; its parameters are <c>eventType</c>, <c>entityId</c>, <c>payload</c> (JSON) and <c>now</c>.</summary>
    public const string OutboxSql =
        "INSERT INTO outbox_events (event_type, entity_id, payload, occurred_at) VALUES (@eventType, @entityId, @payload, @now)";

    /// <summary>Sends several writes as one multi-statement command, each statement's parameters renamed apart.</summary>
    public static async Task WriteTogetherAsync(
        MySqlConnection connection, MySqlTransaction transaction, IReadOnlyList<(string Sql, object Values)> writes, CancellationToken ct)
    {
        var sql = new StringBuilder();
        var values = new DynamicParameters();
        for (var i = 0; i < writes.Count; i++)
        {
            var prefix = $"h{i}_";
            sql.Append(ParameterName().Replace(writes[i].Sql, "@" + prefix + "$1")).Append(";\n");
            foreach (var property in writes[i].Values.GetType().GetProperties())
            {
                values.Add(prefix + property.Name, property.GetValue(writes[i].Values));
            }
        }

        await connection.ExecuteAsync(new CommandDefinition(sql.ToString(), values, transaction, cancellationToken: ct));
    }

    /// <summary>
    /// Turns a one-row <c>INSERT … VALUES (…)</c> into one statement inserting <paramref name="rows"/> (each row's values
    /// are the properties of its object, named as the statement's parameters), adding the values to <paramref name="parameters"/>.
    /// Such statements differ with the number of rows, so they are meant for the driver's command directly: a data mapper
    /// would compile a parameter binder for every count.
    /// </summary>
    public static string ManyRows(string oneRowInsert, IReadOnlyList<object> rows, MySqlParameterCollection parameters, string prefix)
    {
        ArgumentNullException.ThrowIfNull(oneRowInsert);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(parameters);
        var split = oneRowInsert.LastIndexOf("VALUES", StringComparison.Ordinal) + "VALUES".Length;
        var row = oneRowInsert[split..].Trim();
        var sql = new StringBuilder(oneRowInsert[..split]);
        for (var i = 0; i < rows.Count; i++)
        {
            var rowPrefix = $"{prefix}{i}_";
            sql.Append(i == 0 ? "\n  " : ",\n  ").Append(ParameterName().Replace(row, "@" + rowPrefix + "$1"));
            foreach (var property in Properties.GetOrAdd(rows[i].GetType(), type => type.GetProperties()))
            {
                parameters.AddWithValue("@" + rowPrefix + property.Name, property.GetValue(rows[i]));
            }
        }

        return sql.ToString();
    }

    private static readonly ConcurrentDictionary<Type, PropertyInfo[]> Properties = new();

    [GeneratedRegex(@"@(\w+)")]
    private static partial Regex ParameterName();

    public async ValueTask DisposeAsync()
    {
        await Transaction.DisposeAsync();
        await Connection.DisposeAsync();
    }
}
