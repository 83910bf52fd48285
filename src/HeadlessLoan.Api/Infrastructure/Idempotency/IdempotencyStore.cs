using Dapper;
using HeadlessLoan.Api.Infrastructure.Database;
using MySqlConnector;
using StackExchange.Redis;

namespace HeadlessLoan.Api.Infrastructure.Idempotency;

public enum ClaimOutcome { Claimed, Completed, InProgress, Reused }

public sealed record StoredResponse(int StatusCode, string? ContentType, string? Location, byte[] Body);

public sealed record Claim(ClaimOutcome Outcome, StoredResponse? Stored = null);

/// <summary>
/// Idempotency records. A request in flight holds a short Redis claim (SET NX with expiry, so a crashed
/// instance's claim runs out); the finished answer is stored durably in MariaDB for 24 h. One database write per
/// request instead of two: the claim needs atomicity, not durability — every state change also guards itself
/// in its own SQL (status checks, unique keys), so a claim lost with Redis cannot apply a change twice.
/// </summary>
public sealed class IdempotencyStore(MySqlDataSource db, IConnectionMultiplexer redis, RedisKeys keys, TimeProvider clock)
{
    /// <summary>How long a finished answer is replayed.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    /// <summary>A claim whose request never finished (a crashed instance) expires after this.</summary>
    public static readonly TimeSpan AbandonedAfter = TimeSpan.FromSeconds(60);

    public async Task<Claim> ClaimAsync(string scope, string key, string hash, CancellationToken ct)
    {
        var lockKey = LockKey(scope, key);
        var database = redis.GetDatabase();
        if (!await database.StringSetAsync(lockKey, hash, AbandonedAfter, When.NotExists))
        {
            var holder = await database.StringGetAsync(lockKey);
            return holder.HasValue && holder != hash ? new Claim(ClaimOutcome.Reused) : new Claim(ClaimOutcome.InProgress);
        }

        // Claimed. A finished answer is written before its claim is released, so it is visible here if it exists.
        if (await FindCompletedAsync(scope, key, ct) is { } done)
        {
            await database.KeyDeleteAsync(lockKey);
            return done.Hash == hash ? new Claim(ClaimOutcome.Completed, done.Response) : new Claim(ClaimOutcome.Reused);
        }

        return new Claim(ClaimOutcome.Claimed);
    }

    public async Task CompleteAsync(string scope, string key, string hash, StoredResponse response, CancellationToken ct)
    {
        var now = DbTime.Now(clock);
        await using (var conn = await db.OpenConnectionAsync(ct))
        {
            // An expired record under the same key is replaced; a live one cannot exist while we hold the claim.
            await conn.ExecuteAsync(new CommandDefinition(UpsertSql, new
            {
                Scope = scope,
                Key = key,
                Hash = hash,
                Status = response.StatusCode,
                response.ContentType,
                response.Location,
                response.Body,
                Now = now,
                Expires = now + Retention,
            }, cancellationToken: ct));
        }

        await redis.GetDatabase().KeyDeleteAsync(LockKey(scope, key));
    }

    /// <summary>The request failed: a retry with the same key may run again.</summary>
    public Task ReleaseAsync(string scope, string key) => redis.GetDatabase().KeyDeleteAsync(LockKey(scope, key));

    private async Task<(string Hash, StoredResponse Response)?> FindCompletedAsync(string scope, string key, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(SelectSql, new { Scope = scope, Key = key, Now = DbTime.Now(clock) }, cancellationToken: ct));
        return row is null ? null : (row.request_hash, new StoredResponse(row.status_code ?? 200, row.content_type, row.location, row.response_body ?? []));
    }

    private RedisKey LockKey(string scope, string key) => keys.For($"idem:{scope}:{key}");

    private const string SelectSql = """
        SELECT request_hash, status_code, content_type, location, response_body
          FROM idempotency_requests WHERE scope = @Scope AND idem_key = @Key AND completed = 1 AND expires_at >= @Now
        """;

    private const string UpsertSql = """
        INSERT INTO idempotency_requests (scope, idem_key, request_hash, completed, status_code, content_type, location, response_body, locked_at, expires_at)
        VALUES (@Scope, @Key, @Hash, 1, @Status, @ContentType, @Location, @Body, @Now, @Expires)
        ON DUPLICATE KEY UPDATE request_hash = VALUES(request_hash), completed = 1, status_code = VALUES(status_code),
          content_type = VALUES(content_type), location = VALUES(location), response_body = VALUES(response_body),
          locked_at = VALUES(locked_at), expires_at = VALUES(expires_at)
        """;

#pragma warning disable IDE1006, CA1707 // column names as Dapper maps them
    private sealed record Row(string request_hash, int? status_code, string? content_type, string? location, byte[]? response_body);
#pragma warning restore IDE1006, CA1707
}
