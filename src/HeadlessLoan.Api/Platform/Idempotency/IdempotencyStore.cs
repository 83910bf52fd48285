using System.Data.Common;
using System.Globalization;
using System.Text;
using HeadlessLoan.Api.Platform.Database;
using Microsoft.Extensions.Options;
using MySqlConnector;
using StackExchange.Redis;

namespace HeadlessLoan.Api.Platform.Idempotency;

public enum ClaimOutcome { Claimed, Completed, InProgress, Reused }

/// <summary>What claiming a key found; <paramref name="Token"/> is the holder's own when <see cref="ClaimOutcome.Claimed"/>.</summary>
public sealed record Claim(ClaimOutcome Outcome, StoredResponse? Stored = null, string? Token = null);

/// <summary>How long a claim lives without being extended by its request.</summary>
public sealed class IdempotencyOptions
{
    public const string Section = "Idempotency";

    [System.ComponentModel.DataAnnotations.Range(300, 3_600_000)]
    public int ClaimMilliseconds { get; init; } = 60_000;
}

/// <summary>
/// Idempotency records: a request in flight holds a Redis claim of its own (extended while it runs, released only by
/// its holder); finished answers are kept in MariaDB for 24 h, looked up and written in batches. See docs/architecture.md.
/// </summary>
public sealed class IdempotencyStore : IAsyncDisposable
{
    /// <summary>How long a finished answer is replayed.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    /// <summary>A claim whose holder stopped extending it (a crashed instance) expires after this.</summary>
    private readonly TimeSpan _abandonedAfter;

    /// <summary>The most requests one lookup or write carries.</summary>
    private const int MaxBatch = 100;

    private readonly MySqlDataSource _db;
    private readonly IConnectionMultiplexer _redis;
    private readonly RedisKeys _keys;
    private readonly TimeProvider _clock;
    private readonly MicroBatcher<(string Scope, string Key), FinishedAnswer?> _lookups;
    private readonly MicroBatcher<IdempotentAnswer, bool> _writes;

    public IdempotencyStore(
        MySqlDataSource db, IConnectionMultiplexer redis, RedisKeys keys, TimeProvider clock, IOptions<IdempotencyOptions> options, ILogger<IdempotencyStore> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _abandonedAfter = TimeSpan.FromMilliseconds(options.Value.ClaimMilliseconds);
        _db = db;
        _redis = redis;
        _keys = keys;
        _clock = clock;
        // Look-ups only read: two at once cannot get in each other's way.
        _lookups = new MicroBatcher<(string, string), FinishedAnswer?>("idempotency lookups", FindCompletedAsync, MaxBatch, logger, inFlight: 2);
        _writes = new MicroBatcher<IdempotentAnswer, bool>("idempotency writes", UpsertAsync, MaxBatch, logger);
    }

    public async Task<Claim> ClaimAsync(string scope, string key, string hash, CancellationToken ct)
    {
        var lockKey = LockKey(scope, key);
        var database = _redis.GetDatabase();
        // The claim holds the request's hash (a different request under the key is told so) and a token of its own.
        var token = $"{hash}|{Guid.NewGuid():N}";
        if (!await database.StringSetAsync(lockKey, token, _abandonedAfter, When.NotExists))
        {
            var holder = (string?)await database.StringGetAsync(lockKey);
            return holder is not null && !holder.StartsWith(hash + "|", StringComparison.Ordinal) ? new Claim(ClaimOutcome.Reused) : new Claim(ClaimOutcome.InProgress);
        }

        // Claimed. A finished answer is written before its claim is released, so it is visible here if it exists.
        if (await _lookups.RunAsync((scope, key), ct) is { } done)
        {
            Release(scope, key, token);
            return done.Hash == hash ? new Claim(ClaimOutcome.Completed, done.Response) : new Claim(ClaimOutcome.Reused);
        }

        return new Claim(ClaimOutcome.Claimed, Token: token);
    }

    /// <summary>Stores the answer of a request that changed nothing (answers of changes are committed with them).</summary>
    public Task CompleteAsync(IdempotentAnswer answer, CancellationToken ct) => _writes.RunAsync(answer, ct);

    /// <summary>Stores one answer, as a write of the change it answers (<see cref="DbChange.Write"/>); its values are a <see cref="Row"/>.</summary>
    public const string UpsertOneSql = """
        INSERT INTO idempotency_requests (scope, idem_key, request_hash, completed, status_code, content_type, location, response_body, locked_at, expires_at)
        VALUES (@Scope, @Key, @Hash, 1, @StatusCode, @ContentType, @Location, @Body, @Now, @Expires)
        ON DUPLICATE KEY UPDATE request_hash = VALUES(request_hash), completed = 1, status_code = VALUES(status_code),
          content_type = VALUES(content_type), location = VALUES(location), response_body = VALUES(response_body),
          locked_at = VALUES(locked_at), expires_at = VALUES(expires_at)
        """;

    /// <summary>The values of <see cref="UpsertOneSql"/> for <paramref name="answer"/>.</summary>
    public static object Row(IdempotentAnswer answer, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var r = answer.Response;
        return new { answer.Scope, answer.Key, answer.Hash, r.StatusCode, r.ContentType, r.Location, r.Body, Now = now, Expires = now + Retention };
    }

    /// <summary>
    /// Lets the key be claimed again — after its answer is stored, or after a failure a retry may run again — if the claim
    /// is still <paramref name="token"/>'s: a request whose claim ran out never frees the claim of the retry that followed.
    /// Sent without waiting for Redis: the request's outcome is settled and must not wait for (or fail over) the claim.
    /// It is queued before the response is written, so a retry through this instance finds the key free; were it lost,
    /// the claim runs out, and until then a retry is told to come back (409, Retry-After).
    /// </summary>
    public void Release(string scope, string key, string token) =>
        _redis.GetDatabase().ScriptEvaluate(ReleaseScript, [LockKey(scope, key)], [token], CommandFlags.FireAndForget);

    /// <summary>
    /// Keeps <paramref name="token"/>'s claim alive while its request runs, renewing it every third of its lifetime on
    /// the wall clock (Redis expires keys on its own clock), until <paramref name="done"/> is cancelled.
    /// </summary>
    public async Task HoldAsync(string scope, string key, string token, CancellationToken done)
    {
        var lockKey = LockKey(scope, key);
        using var timer = new PeriodicTimer(_abandonedAfter / 3);
        try
        {
            while (await timer.WaitForNextTickAsync(done))
            {
                var held = (long)await _redis.GetDatabase().ScriptEvaluateAsync(
                    ExtendScript, [lockKey], [token, (long)_abandonedAfter.TotalMilliseconds]);
                if (held == 0)
                {
                    return; // Lost (Redis restarted, or taken over): the change's own guards still apply.
                }
            }
        }
        catch (OperationCanceledException) when (done.IsCancellationRequested)
        {
        }
        catch (RedisException)
        {
            // Extending is best effort: a request is never failed for it.
        }
    }

    private const string ReleaseScript = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

    private const string ExtendScript = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";

    /// <summary>
    /// One statement for the whole batch: the requests' primary keys in one row list, each row found tagged with the
    /// position of its request by the database's own comparison of keys (the columns' collations decide, not ours).
    /// One query block however many requests (a range on the primary key), not a block per request. Batch statements
    /// differ by size, so they go straight to the driver: a data mapper would compile a new reader and parameter binder
    /// for every size.
    /// </summary>
    private async Task<IReadOnlyList<FinishedAnswer?>> FindCompletedAsync(IReadOnlyList<(string Scope, string Key)> requests, CancellationToken ct)
    {
        await using var conn = await _db.OpenConnectionAsync(ct);
        await using var command = conn.CreateCommand();
        command.CommandText = FindAnswersSql(requests, DbTime.Now(_clock), command.Parameters, "f");
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await ReadAnswersAsync(reader, requests.Count, ct);
    }

    /// <summary>
    /// The statement finding the finished, unexpired answers under <paramref name="keys"/> (its values added to
    /// <paramref name="parameters"/>, named with <paramref name="prefix"/>). Read with <see cref="ReadAnswersAsync"/>.
    /// </summary>
    private static string FindAnswersSql(IReadOnlyList<(string Scope, string Key)> keys, DateTime now, MySqlParameterCollection parameters, string prefix)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(parameters);
        var position = new StringBuilder("CASE");
        var rows = new StringBuilder();
        parameters.AddWithValue($"@{prefix}Now", now);
        for (var i = 0; i < keys.Count; i++)
        {
            var p = $"@{prefix}{i}";
            position.Append(CultureInfo.InvariantCulture, $" WHEN scope = {p}s AND idem_key = {p}k THEN {i}");
            rows.Append(i == 0 ? "" : ", ").Append(CultureInfo.InvariantCulture, $"({p}s, {p}k)");
            parameters.AddWithValue($"{p}s", keys[i].Scope);
            parameters.AddWithValue($"{p}k", keys[i].Key);
        }

        return $"""
            SELECT {position} END, request_hash, status_code, content_type, location, response_body
              FROM idempotency_requests WHERE (scope, idem_key) IN ({rows}) AND completed = 1 AND expires_at >= @{prefix}Now
            """;
    }

    /// <summary>The answers of the reader's current result (a <see cref="FindAnswersSql"/>), in the keys' order; null where there is none.</summary>
    private static async Task<FinishedAnswer?[]> ReadAnswersAsync(DbDataReader reader, int count, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var found = new FinishedAnswer?[count];
        while (await reader.ReadAsync(ct))
        {
            found[reader.GetInt32(0)] = new FinishedAnswer(
                reader.GetString(1),
                new StoredResponse(
                    reader.IsDBNull(2) ? 200 : reader.GetInt32(2),
                    reader.IsDBNull(3) ? null : reader.GetString(3),
                    reader.IsDBNull(4) ? null : reader.GetString(4),
                    reader.IsDBNull(5) ? [] : (byte[])reader.GetValue(5)));
        }

        return found;
    }

    /// <summary>
    /// One multi-row upsert and one commit for the whole batch. Answers that are large together are split over several
    /// statements, each well under the server's packet limit.
    /// </summary>
    private async Task<IReadOnlyList<bool>> UpsertAsync(IReadOnlyList<IdempotentAnswer> answers, CancellationToken ct)
    {
        var now = DbTime.Now(_clock);
        await using var conn = await _db.OpenConnectionAsync(ct);
        foreach (var statement in SplitByBodySize(answers, MaxStatementBodyBytes))
        {
            await using var command = conn.CreateCommand();
            command.CommandText = UpsertAnswers(statement, now, command.Parameters, "i");
            await command.ExecuteNonQueryAsync(ct);
        }

        return Enumerable.Repeat(true, answers.Count).ToList();
    }

    /// <summary>
    /// One statement storing <paramref name="answers"/>: the rows of <see cref="UpsertOneSql"/> together, in key order so
    /// that two writers lock rows in the same order. An expired record under the same key is replaced; a live one
    /// cannot exist while its claim is held.
    /// </summary>
    private static string UpsertAnswers(IReadOnlyList<IdempotentAnswer> answers, DateTime now, MySqlParameterCollection parameters, string prefix) =>
        DbChange.ManyRows(UpsertOneSql, answers.Order(IdempotentAnswer.KeyOrder).Select(a => Row(a, now)).ToList(), parameters, prefix);

    /// <summary>The answer bytes one upsert carries at most (MariaDB's default packet limit is 16 MiB).</summary>
    internal const int MaxStatementBodyBytes = 4 * 1024 * 1024;

    /// <summary>Consecutive runs whose bodies add up to at most <paramref name="maxBytes"/>; a larger body goes alone.</summary>
    internal static IReadOnlyList<IReadOnlyList<IdempotentAnswer>> SplitByBodySize(IReadOnlyList<IdempotentAnswer> answers, int maxBytes)
    {
        var statements = new List<IReadOnlyList<IdempotentAnswer>>();
        var current = new List<IdempotentAnswer>();
        long bytes = 0;
        foreach (var answer in answers)
        {
            if (current.Count > 0 && bytes + answer.Response.Body.Length > maxBytes)
            {
                statements.Add(current);
                current = [];
                bytes = 0;
            }

            current.Add(answer);
            bytes += answer.Response.Body.Length;
        }

        if (current.Count > 0)
        {
            statements.Add(current);
        }

        return statements;
    }

    private RedisKey LockKey(string scope, string key) => _keys.For($"idem:{scope}:{key}");

    public async ValueTask DisposeAsync()
    {
        await _lookups.DisposeAsync();
        await _writes.DisposeAsync();
    }
}
