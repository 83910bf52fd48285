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
public sealed partial class DbChange : IAsyncDisposable, IDeferredChange
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

    public async Task<IEnumerable<T>> QueryAsync<T>(string sql, object? param, CancellationToken ct)
    {
        await FlushAsync(ct);
        return await Connection.QueryAsync<T>(new CommandDefinition(sql, param, Transaction, cancellationToken: ct));
    }

    /// <summary>Records the change in the audit trail (validated now, written with the change's next round trip).</summary>
    public void Audit(AuditEntry entry) => _held.Add(OnBehalfOf is { } request ? _audit.Prepare(entry, request) : _audit.Prepare(entry));

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
        if (_deferral?.TakeOver(this) is not null)
        {
            _handedOver = true;
            return;
        }

        await CommitNowAsync(ct);
    }

    /// <param name="mergeRows">Whether held rows of the same single-row insert may become one multi-row insert, their
    /// order among the held writes changed: for writes that are independent of each other (a group commit's).</param>
    internal async Task CommitNowAsync(CancellationToken ct, bool mergeRows = false)
    {
        await FlushAsync(ct, mergeRows);
        await Transaction.CommitAsync(ct);
    }

    async Task IDeferredChange.CommitAsync(Action<DbChange>? addWrites, CancellationToken ct)
    {
        addWrites?.Invoke(this);
        await CommitNowAsync(ct);
    }

    ValueTask IDeferredChange.CloseAsync() => CloseAsync();

    /// <summary>How many writes are held; a group commit tells by it which items changed something.</summary>
    internal int HeldCount => _held.Count;

    /// <summary>The request audit records are made for, when not the current one (a group commit's item).</summary>
    internal string? OnBehalfOf { get; set; }

    private async Task FlushAsync(CancellationToken ct, bool mergeRows = false)
    {
        if (_held.Count == 0)
        {
            return;
        }

        var held = _held.ToArray();
        _held.Clear();
        await WriteTogetherAsync(Connection, Transaction, held, ct, mergeRows);
    }

    /// <summary>The outbox insert; its parameters are the properties of an <see cref="OutboxRow"/>.</summary>
    public const string OutboxSql =
        "INSERT INTO outbox_events (event_type, entity_id, payload, occurred_at) VALUES (@EventType, @EntityId, @Payload, @OccurredAt)";

    /// <summary>
    /// The writes in their order, each run of rows of one single-row insert that follow each other as one statement
    /// (a schedule's periods, an entry's lines): the order of the writes is kept, so this is always safe.
    /// </summary>
    private static IEnumerable<List<(string Sql, object Values)>> ConsecutiveRuns(IReadOnlyList<(string Sql, object Values)> writes)
    {
        List<(string Sql, object Values)>? run = null;
        foreach (var write in writes)
        {
            if (run is not null && run[0].Sql == write.Sql && IsOneRowInsert(write.Sql))
            {
                run.Add(write);
                continue;
            }

            if (run is not null)
            {
                yield return run;
            }

            run = [write];
        }

        if (run is not null)
        {
            yield return run;
        }
    }

    /// <summary>
    /// Sends several writes as one multi-statement command, each statement's parameters renamed apart (each write's
    /// values are the properties of its object, named as its statement's parameters). With <paramref name="mergeRows"/>,
    /// the rows of each single-row <c>INSERT … VALUES</c> go in one statement, placed where the first of them was.
    /// </summary>
    private static async Task WriteTogetherAsync(
        MySqlConnection connection, MySqlTransaction transaction, IReadOnlyList<(string Sql, object Values)> writes, CancellationToken ct,
        bool mergeRows = false)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(writes);
        // Its text differs with the writes combined: sent through the driver directly (see ManyRows).
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        var sql = new StringBuilder();
        var statements = mergeRows
            ? writes.Select((w, i) => (w, i)).GroupBy(x => IsOneRowInsert(x.w.Sql) ? x.w.Sql : "#" + x.i.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .Select(g => g.Select(x => x.w).ToList())
            : ConsecutiveRuns(writes);
        var n = 0;
        foreach (var statement in statements)
        {
            if (statement.Count == 1)
            {
                AppendRenamed(sql, statement[0].Sql, statement[0].Values, $"h{n}_", command.Parameters);
            }
            else
            {
                sql.Append(ManyRows(statement[0].Sql, statement.ConvertAll(w => w.Values), command.Parameters, $"m{n}_"));
            }

            sql.Append(";\n");
            n++;
        }

        command.CommandText = sql.ToString();
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>A single-row <c>INSERT … VALUES (…)</c>, optionally ending <c>ON DUPLICATE KEY UPDATE</c>: rows of it can share one statement.</summary>
    private static bool IsOneRowInsert(string sql) =>
        sql.TrimStart().StartsWith("INSERT", StringComparison.OrdinalIgnoreCase) && sql.Contains("VALUES", StringComparison.Ordinal)
        && !sql.Contains("SELECT", StringComparison.OrdinalIgnoreCase);

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
        // The row is the parenthesised list after the first VALUES; what follows it (ON DUPLICATE KEY UPDATE …) ends the statement.
        var split = oneRowInsert.IndexOf("VALUES", StringComparison.Ordinal) + "VALUES".Length;
        var open = oneRowInsert.IndexOf('(', split);
        var close = ClosingParenthesis(oneRowInsert, open);
        var row = oneRowInsert[open..(close + 1)];
        var sql = new StringBuilder(oneRowInsert, 0, split, split + rows.Count * (row.Length + 16));
        for (var i = 0; i < rows.Count; i++)
        {
            AppendRenamed(sql.Append(i == 0 ? "\n  " : ",\n  "), row, rows[i], $"{prefix}{i}_", parameters);
        }

        return sql.Append(oneRowInsert, close + 1, oneRowInsert.Length - close - 1).ToString();
    }

    /// <summary>Where the parenthesis opened at <paramref name="open"/> closes, nested ones and quoted text skipped.</summary>
    private static int ClosingParenthesis(string sql, int open)
    {
        var depth = 0;
        var quoted = false;
        for (var i = open; i < sql.Length; i++)
        {
            switch (sql[i])
            {
                case '\'': quoted = !quoted; break;
                case '(' when !quoted: depth++; break;
                case ')' when !quoted && --depth == 0: return i;
            }
        }

        throw new ArgumentException("The row's parenthesis is not closed.", nameof(sql));
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
