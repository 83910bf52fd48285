using System.Text.Json;
using Dapper;
using HeadlessLoan.Api.Audit;
using MySqlConnector;

namespace HeadlessLoan.Api.Infrastructure.Database;

/// <summary>
/// One state change: a connection and its transaction, in which the rows, the outbox events announcing them and the
/// audit records describing them are written, so all commit together or none does. Disposing without
/// <see cref="CommitAsync"/> rolls back.
/// </summary>
public sealed class DbChange : IAsyncDisposable
{
    private readonly AuditTrail _audit;

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

    public Task<int> ExecuteAsync(string sql, object? param, CancellationToken ct) =>
        Connection.ExecuteAsync(new CommandDefinition(sql, param, Transaction, cancellationToken: ct));

    public Task<T?> ScalarAsync<T>(string sql, object? param, CancellationToken ct) =>
        Connection.ExecuteScalarAsync<T>(new CommandDefinition(sql, param, Transaction, cancellationToken: ct));

    public Task<T?> QuerySingleOrDefaultAsync<T>(string sql, object? param, CancellationToken ct) =>
        Connection.QuerySingleOrDefaultAsync<T>(new CommandDefinition(sql, param, Transaction, cancellationToken: ct));

    public Task AuditAsync(AuditEntry entry, CancellationToken ct) => _audit.AppendAsync(Connection, Transaction, entry, ct);

    /// <summary>An event for the relay, announced only if this change commits.</summary>
    public Task<int> OutboxAsync(string eventType, Guid entityId, object payload, DateTime now, CancellationToken ct) =>
        ExecuteAsync(
            "INSERT INTO outbox_events (event_type, entity_id, payload, occurred_at) VALUES (@eventType, @entityId, @payload, @now)",
            new { eventType, entityId, payload = JsonSerializer.Serialize(payload), now }, ct);

    public Task CommitAsync(CancellationToken ct) => Transaction.CommitAsync(ct);

    public async ValueTask DisposeAsync()
    {
        await Transaction.DisposeAsync();
        await Connection.DisposeAsync();
    }
}
