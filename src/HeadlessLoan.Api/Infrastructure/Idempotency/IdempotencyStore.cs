using Dapper;
using MySqlConnector;

namespace HeadlessLoan.Api.Infrastructure.Idempotency;

public enum ClaimOutcome { Claimed, Completed, InProgress, Reused }

public sealed record StoredResponse(int StatusCode, string? ContentType, string? Location, byte[] Body);

public sealed record Claim(ClaimOutcome Outcome, StoredResponse? Stored = null);

/// <summary>Idempotency records in MariaDB: one row per caller and key, claimed atomically by the primary key.</summary>
public sealed class IdempotencyStore(MySqlDataSource db, TimeProvider clock)
{
    /// <summary>How long a finished answer is replayed.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    /// <summary>A claim older than this whose request never finished (a crashed instance) may be taken over.</summary>
    public static readonly TimeSpan AbandonedAfter = TimeSpan.FromSeconds(60);

    public async Task<Claim> ClaimAsync(string scope, string key, string hash, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var args = new { Scope = scope, Key = key, Hash = hash, Now = now, Expires = now + Retention, StaleBefore = now - AbandonedAfter };
        await using var conn = await db.OpenConnectionAsync(ct);
        for (var attempt = 0; attempt < 3; attempt++)
        {
            if (await conn.ExecuteAsync(new CommandDefinition(InsertSql, args, cancellationToken: ct)) == 1)
            {
                return new Claim(ClaimOutcome.Claimed);
            }

            if (await conn.ExecuteAsync(new CommandDefinition(TakeOverSql, args, cancellationToken: ct)) == 1)
            {
                return new Claim(ClaimOutcome.Claimed);
            }

            var row = await conn.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(SelectSql, args, cancellationToken: ct));
            if (row is null)
            {
                continue; // released between our statements: try to claim again
            }

            if (!string.Equals(row.request_hash, hash, StringComparison.Ordinal))
            {
                return new Claim(ClaimOutcome.Reused);
            }

            return row.completed
                ? new Claim(ClaimOutcome.Completed, new StoredResponse(row.status_code ?? 200, row.content_type, row.location, row.response_body ?? []))
                : new Claim(ClaimOutcome.InProgress);
        }

        return new Claim(ClaimOutcome.InProgress);
    }

    public async Task CompleteAsync(string scope, string key, StoredResponse response, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(CompleteSql, new
        {
            Scope = scope,
            Key = key,
            Status = response.StatusCode,
            response.ContentType,
            response.Location,
            response.Body,
        }, cancellationToken: ct));
    }

    public async Task ReleaseAsync(string scope, string key, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(
            "DELETE FROM idempotency_requests WHERE scope = @Scope AND idem_key = @Key AND completed = 0",
            new { Scope = scope, Key = key }, cancellationToken: ct));
    }

    private const string InsertSql = """
        INSERT IGNORE INTO idempotency_requests (scope, idem_key, request_hash, completed, locked_at, expires_at)
        VALUES (@Scope, @Key, @Hash, 0, @Now, @Expires)
        """;

    private const string TakeOverSql = """
        UPDATE idempotency_requests
           SET request_hash = @Hash, completed = 0, status_code = NULL, content_type = NULL, location = NULL,
               response_body = NULL, locked_at = @Now, expires_at = @Expires
         WHERE scope = @Scope AND idem_key = @Key
           AND (expires_at < @Now OR (completed = 0 AND locked_at < @StaleBefore))
        """;

    private const string SelectSql = """
        SELECT request_hash, completed, status_code, content_type, location, response_body
          FROM idempotency_requests WHERE scope = @Scope AND idem_key = @Key
        """;

    private const string CompleteSql = """
        UPDATE idempotency_requests
           SET completed = 1, status_code = @Status, content_type = @ContentType, location = @Location, response_body = @Body
         WHERE scope = @Scope AND idem_key = @Key
        """;

#pragma warning disable IDE1006, CA1707 // column names as Dapper maps them
    private sealed record Row(string request_hash, bool completed, int? status_code, string? content_type, string? location, byte[]? response_body);
#pragma warning restore IDE1006, CA1707
}
