using System.Collections.Concurrent;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using HeadlessLoan.Api.Platform.Audit;
using MySqlConnector;

namespace HeadlessLoan.Api.Platform.Database;

/// <summary>
/// One state change: a connection and its transaction, in which the rows, the outbox events announcing them and the
/// audit records describing them are written, so all commit together or none does. Disposing without
/// <see cref="CommitAsync"/> rolls back.
/// </summary>
/// <remarks>
/// Outbox events and audit records are write-only within the change, so they are held back and sent together, in
/// one round trip before the next statement or the commit: recording a change costs no round trip of its own.
/// Begun inside a <see cref="DeferredCommit"/> (a request with an idempotency key), the first change's commit is left
/// to its owner, which adds the request's answer to it: see docs/architecture.md.
/// </remarks>
public sealed partial class DbChange : IAsyncDisposable
{
    private readonly AuditTrail _audit;
    private readonly List<(string Sql, object Values)> _held = [];
    private readonly DeferredCommit? _deferral;
    private bool _handedOver;

    private DbChange(MySqlConnection connection, MySqlTransaction transaction, AuditTrail audit)
    {
        Connection = connection;
        Transaction = transaction;
        _audit = audit;
        _deferral = DeferredCommit.Current;
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
    public void Audit(AuditEntry entry) => _held.Add(_audit.Prepare(entry));

    /// <summary>An event for the relay (written with the change's next round trip), announced only if this change commits.</summary>
    public void Outbox(string eventType, Guid entityId, object payload, DateTime now) =>
        _held.Add((OutboxSql, OutboxRow.Of(eventType, entityId, payload, now)));

    /// <summary>
    /// Records the change in the audit trail and announces it as an outbox event of the same name, carrying who did it
    /// and the entity's before and after: for changes other systems follow step by step (the approval workflow).
    /// </summary>
    public void Record(AuditEntry entry, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(entry);
        Audit(entry);
        var payload = JsonSerializer.Serialize(
            new { actor = entry.Actor, entity = entry.EntityType, before = entry.Before, after = entry.After, flagged = entry.Flagged }, EventJson);
        _held.Add((OutboxSql, new OutboxRow(entry.Action, entry.EntityId, payload, now)));
    }

    private static readonly JsonSerializerOptions EventJson = new(JsonSerializerDefaults.Web);

    /// <summary>A write of its own (its values are the properties of <paramref name="values"/>), sent with the change's next round trip.</summary>
    public void Write(string sql, object values) => _held.Add((sql, values));

    /// <summary>
    /// Commits the change; or, the first change inside a <see cref="DeferredCommit"/>, hands it to its owner, which
    /// commits it with what it adds (nothing held is sent before then).
    /// </summary>
    public async Task CommitAsync(CancellationToken ct)
    {
        if (_deferral?.TakeOver(this) == true)
        {
            _handedOver = true;
            return;
        }

        await CommitNowAsync(ct);
    }

    internal async Task CommitNowAsync(CancellationToken ct)
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

    /// <summary>The outbox insert; its parameters are the properties of an <see cref="OutboxRow"/>.</summary>
    public const string OutboxSql =
        "INSERT INTO outbox_events (event_type, entity_id, payload, occurred_at) VALUES (@EventType, @EntityId, @Payload, @OccurredAt)";

    /// <summary>
    /// Sends several writes as one multi-statement command, each statement's parameters renamed apart (each write's
    /// values are the properties of its object, named as its statement's parameters).
    /// </summary>
    public static async Task WriteTogetherAsync(
        MySqlConnection connection, MySqlTransaction transaction, IReadOnlyList<(string Sql, object Values)> writes, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(writes);
        // Its text differs with the writes combined: sent through the driver directly (see ManyRows).
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        var sql = new StringBuilder();
        for (var i = 0; i < writes.Count; i++)
        {
            AppendRenamed(sql, writes[i].Sql, writes[i].Values, $"h{i}_", command.Parameters).Append(";\n");
        }

        command.CommandText = sql.ToString();
        await command.ExecuteNonQueryAsync(ct);
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
        var split = oneRowInsert.LastIndexOf("VALUES", StringComparison.Ordinal) + "VALUES".Length;
        var row = oneRowInsert[split..].Trim();
        var sql = new StringBuilder(oneRowInsert, 0, split, split + rows.Count * (row.Length + 16));
        for (var i = 0; i < rows.Count; i++)
        {
            AppendRenamed(sql.Append(i == 0 ? "\n  " : ",\n  "), row, rows[i], $"{prefix}{i}_", parameters);
        }

        return sql.ToString();
    }

    /// <summary>
    /// Appends <paramref name="sql"/> with every parameter prefixed, and adds its values (the properties of
    /// <paramref name="values"/>) named likewise. The statement is split at its parameters once and kept: batches
    /// render the same few statements for every row.
    /// </summary>
    private static StringBuilder AppendRenamed(StringBuilder text, string sql, object values, string prefix, MySqlParameterCollection parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        foreach (var property in Properties.GetOrAdd(values.GetType(), type => type.GetProperties()))
        {
            parameters.AddWithValue("@" + prefix + property.Name, property.GetValue(values));
        }

        // Even positions are text, odd ones parameter names.
        var parts = Templates.GetOrAdd(sql, static s => ParameterName().Split(s));
        for (var i = 0; i < parts.Length; i++)
        {
            if (i % 2 == 1)
            {
                text.Append('@').Append(prefix);
            }

            text.Append(parts[i]);
        }

        return text;
    }

    private static readonly ConcurrentDictionary<string, string[]> Templates = new();

    private static readonly ConcurrentDictionary<Type, PropertyInfo[]> Properties = new();

    [GeneratedRegex(@"@(\w+)")]
    private static partial Regex ParameterName();

    public ValueTask DisposeAsync() => _handedOver ? ValueTask.CompletedTask : CloseAsync();

    /// <summary>Ends the change for good: rolled back unless committed.</summary>
    internal async ValueTask CloseAsync()
    {
        await Transaction.DisposeAsync();
        await Connection.DisposeAsync();
    }
}

/// <summary>One outbox event, as <see cref="DbChange.OutboxSql"/> inserts it; <paramref name="Payload"/> is JSON.</summary>
public sealed record OutboxRow(string EventType, string EntityId, string Payload, DateTime OccurredAt)
{
    /// <summary>An event about <paramref name="entityId"/>, its <paramref name="payload"/> serialised as JSON.</summary>
    public static OutboxRow Of(string eventType, Guid entityId, object payload, DateTime occurredAt) =>
        new(eventType, entityId.ToString(), JsonSerializer.Serialize(payload), occurredAt);
}
