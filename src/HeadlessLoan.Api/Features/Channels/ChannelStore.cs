using Dapper;
using HeadlessLoan.Api.Platform.Audit;
using HeadlessLoan.Api.Platform.Auth;
using HeadlessLoan.Api.Platform.Database;
using MySqlConnector;

namespace HeadlessLoan.Api.Features.Channels;

public sealed record ChannelRow(Guid Id, string Name, string Status, int RateLimitPerMinute, DateTime CreatedAt);

public sealed record ApiKeyRow(Guid Id, Guid ChannelId, string Prefix, DateTime CreatedAt, DateTime? RevokedAt);

/// <summary>SQL for channels and their API keys.</summary>
public sealed class ChannelStore(MySqlDataSource db, AuditTrail audit)
{
    private const string EntityType = "channel";

    public async Task<ApiKeyCaller?> FindActiveKeyAsync(string keyHash, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<ApiKeyCaller>(new CommandDefinition("""
            SELECT c.id AS ChannelId, c.name AS ChannelName, k.id AS KeyId, c.rate_limit_per_minute
              FROM channel_api_keys k JOIN channels c ON c.id = k.channel_id
             WHERE k.key_hash = @keyHash AND k.revoked_at IS NULL AND c.status = 'active'
            """, new { keyHash }, cancellationToken: ct));
    }

    /// <summary>False when the name is taken.</summary>
    public async Task<bool> InsertAsync(ChannelRow channel, AuditActor actor, CancellationToken ct)
    {
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        try
        {
            await change.ExecuteAsync("""
                INSERT INTO channels (id, name, status, rate_limit_per_minute, created_at, created_by)
                VALUES (@Id, @Name, @Status, @RateLimitPerMinute, @CreatedAt, @createdBy)
                """, new { channel.Id, channel.Name, channel.Status, channel.RateLimitPerMinute, channel.CreatedAt, createdBy = Guid.Parse(actor.Id) }, ct);
        }
        catch (MySqlException e) when (e.ErrorCode == MySqlErrorCode.DuplicateKeyEntry)
        {
            return false;
        }

        change.Audit(new AuditEntry(actor, "channel.created", EntityType, channel.Id.ToString(), null,
            new { channel.Name, channel.Status, channel.RateLimitPerMinute }));
        await change.CommitAsync(ct);
        return true;
    }

    public async Task<ChannelRow?> GetAsync(Guid id, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<ChannelRow>(new CommandDefinition(
            SelectChannel + " WHERE id = @id", new { id }, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<ChannelRow>> ListAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<ChannelRow>(new CommandDefinition(SelectChannel + " ORDER BY created_at, id", cancellationToken: ct))).AsList();
    }

    /// <summary>Adds a key to an active channel; false when there is no such active channel.</summary>
    public async Task<bool> InsertKeyAsync(ApiKeyRow key, string keyHash, AuditActor actor, CancellationToken ct)
    {
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        // One statement: the channel's existence and status are checked where the row is written.
        var rows = await change.ExecuteAsync("""
            INSERT INTO channel_api_keys (id, channel_id, prefix, key_hash, created_at, created_by)
            SELECT @Id, c.id, @Prefix, @keyHash, @CreatedAt, @createdBy FROM channels c WHERE c.id = @ChannelId AND c.status = 'active'
            """, new { key.Id, key.ChannelId, key.Prefix, keyHash, key.CreatedAt, createdBy = Guid.Parse(actor.Id) }, ct);
        if (rows != 1)
        {
            return false;
        }

        change.Audit(new AuditEntry(actor, "channel.api_key_issued", EntityType, key.ChannelId.ToString(), null,
            new { keyId = key.Id, key.Prefix }));
        await change.CommitAsync(ct);
        return true;
    }

    public async Task<IReadOnlyList<ApiKeyRow>> ListKeysAsync(Guid channelId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<ApiKeyRow>(new CommandDefinition("""
            SELECT id, channel_id, prefix, created_at, revoked_at
              FROM channel_api_keys WHERE channel_id = @channelId ORDER BY created_at, id
            """, new { channelId }, cancellationToken: ct))).AsList();
    }

    /// <summary>False when the key does not belong to the channel; revoking twice is harmless (and recorded once).</summary>
    public async Task<bool> RevokeKeyAsync(Guid channelId, Guid keyId, DateTime now, AuditActor actor, CancellationToken ct)
    {
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        var key = await change.QuerySingleOrDefaultAsync<(Guid Id, DateTime? RevokedAt)>(
            "SELECT id, revoked_at FROM channel_api_keys WHERE id = @keyId AND channel_id = @channelId FOR UPDATE", new { channelId, keyId }, ct);
        if (key.Id == Guid.Empty)
        {
            return false;
        }

        if (key.RevokedAt is null)
        {
            await change.ExecuteAsync("UPDATE channel_api_keys SET revoked_at = @now WHERE id = @keyId", new { keyId, now }, ct);
            change.Audit(new AuditEntry(actor, "channel.api_key_revoked", EntityType, channelId.ToString(),
                new { keyId, revokedAt = (DateTime?)null }, new { keyId, revokedAt = now }));
            await change.CommitAsync(ct);
        }

        return true;
    }

    private const string SelectChannel = """
        SELECT id, name, status, rate_limit_per_minute, created_at FROM channels
        """;
}
