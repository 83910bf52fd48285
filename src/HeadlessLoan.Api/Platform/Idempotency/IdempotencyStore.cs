using System.Data.Common;
using System.Globalization;
using System.Text;
using Dapper;
using HeadlessLoan.Api.Platform.Database;
using Microsoft.Extensions.Options;
using MySqlConnector;
using StackExchange.Redis;

namespace HeadlessLoan.Api.Platform.Idempotency;

public enum ClaimOutcome { Claimed, Completed, InProgress, Reused }

/// <summary>What claiming a key found; <paramref name="Request"/> is the holder's own claim when <see cref="ClaimOutcome.Claimed"/>.</summary>
public sealed record Claim(ClaimOutcome Outcome, StoredResponse? Stored = null, IdempotentRequest? Request = null);

/// <summary>How long a claim lives without being extended by its request.</summary>
public sealed class IdempotencyOptions
{
    public const string Section = "Idempotency";

    [System.ComponentModel.DataAnnotations.Range(300, 3_600_000)]
    public int ClaimMilliseconds { get; init; } = 60_000;
}

/// <summary>
/// Idempotency records: a request in flight holds a claim of its own (extended while it runs, released only by its
/// holder) — in Redis, or by the key's row in MariaDB while Redis does not answer; finished answers are kept in MariaDB
/// for 24 h, looked up and written in batches, and never replaced by a duplicate's. See docs/architecture.md.
/// </summary>
public sealed partial class IdempotencyStore : IAsyncDisposable
{
    /// <summary>How long a finished answer is replayed.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    /// <summary>The constraint that refuses an answer over a live answer or another request's live claim (migration 0008).</summary>
    public const string OneAnswerConstraint = "idempotency_one_answer";

    /// <summary>A claim whose holder stopped extending it (a crashed instance) expires after this.</summary>
    private readonly TimeSpan _abandonedAfter;

    /// <summary>The most requests one lookup or write carries.</summary>
    private const int MaxBatch = 100;

    private readonly MySqlDataSource _db;
    private readonly IConnectionMultiplexer _redis;
    private readonly RedisHealth _redisHealth;
    private readonly RedisKeys _keys;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly MicroBatcher<(string Scope, string Key), KeyRecord?> _lookups;
    private readonly MicroBatcher<IdempotentRequest, KeyRecord> _claims;
    private readonly MicroBatcher<IdempotentAnswer, bool> _writes;

    public IdempotencyStore(
        MySqlDataSource db, IConnectionMultiplexer redis, RedisHealth redisHealth, RedisKeys keys, TimeProvider clock, IOptions<IdempotencyOptions> options,
        ILogger<IdempotencyStore> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _abandonedAfter = TimeSpan.FromMilliseconds(options.Value.ClaimMilliseconds);
        _db = db;
        _redis = redis;
        _redisHealth = redisHealth;
        _keys = keys;
        _clock = clock;
        _logger = logger;
        // Look-ups only read: two at once cannot get in each other's way.
        _lookups = new MicroBatcher<(string, string), KeyRecord?>("idempotency lookups", FindAllAsync, MaxBatch, logger, inFlight: 2);
        // Claims and answers are upserts that come to the same however often they are made: a batch that lost a conflict
        // runs again.
        _claims = new MicroBatcher<IdempotentRequest, KeyRecord>(
            "idempotency claims", (batch, ct) => DatabaseFaults.RetryConflictsAsync(() => ClaimAllAsync(batch, ct), logger, "A batch of idempotency claims"),
            MaxBatch, logger);
        _writes = new MicroBatcher<IdempotentAnswer, bool>(
            "idempotency writes", (batch, ct) => DatabaseFaults.RetryConflictsAsync(() => UpsertAsync(batch, ct), logger, "A batch of idempotency answers"),
            MaxBatch, logger);
    }

    /// <summary>
    /// Claims the key for a request with <paramref name="hash"/>, or says what holds it: its finished answer, another
    /// request still running, or an answer or claim of a different request. In Redis while Redis answers; by the key's
    /// row in the database otherwise, so that the key is guarded all the same.
    /// </summary>
    public async Task<Claim> ClaimAsync(string scope, string key, string hash, CancellationToken ct)
    {
        var request = new IdempotentRequest(scope, key, hash, Guid.NewGuid().ToString("N"));
        if (_redisHealth.IsAvailable)
        {
            try
            {
                return await ClaimInRedisAsync(request, ct);
            }
            catch (Exception e) when (RedisHealth.IsFailure(e))
            {
                _redisHealth.Report(e);
            }
        }

        request = request with { HeldInDatabase = true };
        return Decide(request, await _claims.RunAsync(request, ct));
    }

    private async Task<Claim> ClaimInRedisAsync(IdempotentRequest request, CancellationToken ct)
    {
        var lockKey = LockKey(request.Scope, request.Key);
        var database = _redis.GetDatabase();
        // The claim holds the request's hash (a different request under the key is told so) and a token of its own.
        if (!await database.StringSetAsync(lockKey, RedisValueOf(request), _abandonedAfter, When.NotExists))
        {
            var holder = (string?)await database.StringGetAsync(lockKey);
            return holder is not null && !holder.StartsWith(request.Hash + "|", StringComparison.Ordinal) ? new Claim(ClaimOutcome.Reused) : new Claim(ClaimOutcome.InProgress);
        }

        // Claimed in Redis. A finished answer is written before its claim is released, so it is visible here if it exists;
        // so is the claim of a request that an instance without Redis is running under the key.
        KeyRecord? found;
        try
        {
            found = await _lookups.RunAsync((request.Scope, request.Key), ct);
        }
        catch
        {
            await ReleaseAsync(request, answered: false);
            throw;
        }

        if (found is null)
        {
            return new Claim(ClaimOutcome.Claimed, Request: request);
        }

        await ReleaseAsync(request, answered: false);
        return Decide(request, found);
    }

    /// <summary>What <paramref name="found"/> under the key means for <paramref name="request"/>.</summary>
    private static Claim Decide(IdempotentRequest request, KeyRecord found) => found switch
    {
        { Answer: null } when found.Token == request.Token => new Claim(ClaimOutcome.Claimed, Request: request),
        _ when found.Hash != request.Hash => new Claim(ClaimOutcome.Reused),
        { Answer: { } answer } => new Claim(ClaimOutcome.Completed, answer),
        _ => new Claim(ClaimOutcome.InProgress),
    };

    /// <summary>
    /// What the database holds under the key now, other than <paramref name="request"/>'s own claim: for a request whose
    /// answer was refused because another request's answer or claim holds the key.
    /// </summary>
    public async Task<KeyRecord?> FindOthersAsync(IdempotentRequest request, CancellationToken ct) =>
        await _lookups.RunAsync((request.Scope, request.Key), ct) is { } found && !(found.Answer is null && found.Token == request.Token) ? found : null;

    /// <summary>Stores the answer of a request that changed nothing (answers of changes are committed with them).</summary>
    public Task CompleteAsync(IdempotentAnswer answer, CancellationToken ct) => _writes.RunAsync(answer, ct);

    /// <summary>
    /// Stores one answer, as a write of the change it answers (<see cref="DbChange.Write"/>); its values are a <see cref="Row"/>.
    /// A live answer, or a live claim that is not this request's, is never replaced: the row's <c>completed</c> would become
    /// 2, which <see cref="OneAnswerConstraint"/> refuses, and the change the answer commits with is not made.
    /// <c>completed</c> is set first, while <c>expires_at</c> and <c>claim_token</c> are still the row's own.
    /// </summary>
    public const string UpsertOneSql = """
        INSERT INTO idempotency_requests (scope, idem_key, request_hash, claim_token, completed, status_code, content_type, location, response_body, locked_at, expires_at)
        VALUES (@Scope, @Key, @Hash, @Token, 1, @StatusCode, @ContentType, @Location, @Body, @Now, @Expires)
        ON DUPLICATE KEY UPDATE completed = IF(expires_at < VALUES(locked_at) OR claim_token = VALUES(claim_token), 1, 2),
          request_hash = VALUES(request_hash), claim_token = VALUES(claim_token), status_code = VALUES(status_code),
          content_type = VALUES(content_type), location = VALUES(location), response_body = VALUES(response_body),
          locked_at = VALUES(locked_at), expires_at = VALUES(expires_at)
        """;

    /// <summary>The values of <see cref="UpsertOneSql"/> for <paramref name="answer"/>.</summary>
    public static object Row(IdempotentAnswer answer, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var r = answer.Response;
        return new { answer.Scope, answer.Key, answer.Hash, answer.Token, r.StatusCode, r.ContentType, r.Location, r.Body, Now = now, Expires = now + Retention };
    }

    /// <summary>The database refused an answer because another request's answer or live claim holds its key.</summary>
    public static bool IsAnsweredElsewhere(Exception e) =>
        e is MySqlException { Number: 4025 or 3819 } m && m.Message.Contains(OneAnswerConstraint, StringComparison.Ordinal);

    /// <summary>
    /// Lets the key be claimed again — after its answer is stored, or after a failure a retry may run again — if the claim
    /// is still <paramref name="request"/>'s: a request whose claim ran out never frees the claim of the retry that followed.
    /// In Redis the release is sent without waiting: the request's outcome is settled and must not wait for (or fail over)
    /// the claim. It is queued before the response is written, so a retry through this instance finds the key free; were it
    /// lost, the claim runs out, and until then a retry is told to come back (409, Retry-After). It is sent for a claim held
    /// in the database as well, since a claim Redis timed out on may have been set all the same. A claim held in the
    /// database is deleted unless its row now holds the answer (<paramref name="answered"/>).
    /// </summary>
    public async Task ReleaseAsync(IdempotentRequest request, bool answered)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            _redis.GetDatabase().ScriptEvaluate(ReleaseScript, [LockKey(request.Scope, request.Key)], [RedisValueOf(request)], StackExchange.Redis.CommandFlags.FireAndForget);
        }
        catch (Exception e) when (RedisHealth.IsFailure(e))
        {
            // Not connected: a claim Redis holds runs out by itself.
        }

        if (!request.HeldInDatabase || answered)
        {
            return;
        }

        try
        {
            await using var conn = await _db.OpenConnectionAsync(CancellationToken.None);
            await conn.ExecuteAsync(new CommandDefinition(
                "DELETE FROM idempotency_requests WHERE scope = @Scope AND idem_key = @Key AND claim_token = @Token AND completed = 0", request));
        }
        catch (Exception e) when (DatabaseFaults.IsUnavailable(e))
        {
            // The claim runs out by itself; until then a retry is told to come back.
            LogClaimNotReleased(_logger, e);
        }
    }

    /// <summary>
    /// Keeps <paramref name="request"/>'s claim alive while it runs, renewing it every third of its lifetime on the wall
    /// clock (Redis expires keys on its own clock), until <paramref name="done"/> is cancelled.
    /// </summary>
    public async Task HoldAsync(IdempotentRequest request, CancellationToken done)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var timer = new PeriodicTimer(_abandonedAfter / 3);
        try
        {
            while (await timer.WaitForNextTickAsync(done))
            {
                if (!await ExtendAsync(request))
                {
                    return; // Lost (Redis restarted, or taken over): the answer cannot replace another's all the same.
                }
            }
        }
        catch (OperationCanceledException) when (done.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Extending is best effort: a request is never failed for it (were the claim lost, the answer still could not
            // replace another's).
            LogClaimNotExtended(_logger, e.GetType().Name, e.Message);
        }
    }

    private async Task<bool> ExtendAsync(IdempotentRequest request)
    {
        if (!request.HeldInDatabase)
        {
            return (long)await _redis.GetDatabase().ScriptEvaluateAsync(
                ExtendScript, [LockKey(request.Scope, request.Key)], [RedisValueOf(request), (long)_abandonedAfter.TotalMilliseconds]) != 0;
        }

        await using var conn = await _db.OpenConnectionAsync(CancellationToken.None);
        return await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE idempotency_requests SET expires_at = @Until WHERE scope = @Scope AND idem_key = @Key AND claim_token = @Token AND completed = 0",
            new { request.Scope, request.Key, request.Token, Until = DbTime.Now(_clock) + _abandonedAfter })) > 0;
    }

    private const string ReleaseScript = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

    private const string ExtendScript = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";

    /// <summary>A claim in Redis: the request's hash, then its token.</summary>
    private static string RedisValueOf(IdempotentRequest request) => $"{request.Hash}|{request.Token}";

    /// <summary>
    /// Claims the batch's keys by their rows, in one round trip: one upsert that takes a key whose row is missing or
    /// expired (an answer past its 24 h, a claim its holder stopped extending) and leaves any other as it is, in key order
    /// so two batches lock rows alike; then the rows as they now are, each request seeing whether it holds its key. Of
    /// requests under one key the first in that order takes it (the others meet its row), and the rows are read back in
    /// the same order, so it is the first that a row is matched to; the others are told the key is held.
    /// </summary>
    private async Task<IReadOnlyList<KeyRecord>> ClaimAllAsync(IReadOnlyList<IdempotentRequest> requests, CancellationToken ct)
    {
        var now = DbTime.Now(_clock);
        var until = now + _abandonedAfter;
        var order = Enumerable.Range(0, requests.Count)
            .OrderBy(i => requests[i].Scope, StringComparer.Ordinal).ThenBy(i => requests[i].Key, StringComparer.Ordinal).ToArray();
        var sorted = order.Select(i => requests[i]).ToList();
        await using var conn = await _db.OpenConnectionAsync(ct);
        await using var command = conn.CreateCommand();
        command.CommandText = DbChange.ManyRows(ClaimSql, sorted.Select(r => (object)new { r.Scope, r.Key, r.Hash, r.Token, Now = now, Until = until }).ToList(),
            command.Parameters, "c") + ";\n" + FindRecordsSql(sorted.Select(r => (r.Scope, r.Key)).ToList(), null, command.Parameters, "f");
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (reader.FieldCount == 0 && await reader.NextResultAsync(ct))
        {
        }

        var found = await ReadRecordsAsync(reader, sorted.Count, ct);
        var records = new KeyRecord[requests.Count];
        for (var i = 0; i < sorted.Count; i++)
        {
            records[order[i]] = found[i] ?? new KeyRecord(sorted[i].Hash, Token: null, Answer: null);
        }

        return records;
    }

    /// <summary>
    /// A key's claim by its row. Each column is set only where the row was missing or expired, <c>expires_at</c> last, so
    /// that each condition reads the row as it was.
    /// </summary>
    private const string ClaimSql = """
        INSERT INTO idempotency_requests (scope, idem_key, request_hash, claim_token, completed, locked_at, expires_at)
        VALUES (@Scope, @Key, @Hash, @Token, 0, @Now, @Until)
        ON DUPLICATE KEY UPDATE request_hash = IF(expires_at < VALUES(locked_at), VALUES(request_hash), request_hash),
          claim_token = IF(expires_at < VALUES(locked_at), VALUES(claim_token), claim_token),
          completed = IF(expires_at < VALUES(locked_at), 0, completed),
          locked_at = IF(expires_at < VALUES(locked_at), VALUES(locked_at), locked_at),
          expires_at = IF(expires_at < VALUES(locked_at), VALUES(expires_at), expires_at)
        """;

    /// <summary>
    /// One statement for the whole batch: the requests' primary keys in one row list, each row found tagged with the
    /// position of its request by the database's own comparison of keys (the columns' collations decide, not ours).
    /// One query block however many requests (a range on the primary key), not a block per request. Batch statements
    /// differ by size, so they go straight to the driver: a data mapper would compile a new reader and parameter binder
    /// for every size.
    /// </summary>
    private async Task<IReadOnlyList<KeyRecord?>> FindAllAsync(IReadOnlyList<(string Scope, string Key)> requests, CancellationToken ct)
    {
        await using var conn = await _db.OpenConnectionAsync(ct);
        await using var command = conn.CreateCommand();
        command.CommandText = FindRecordsSql(requests, DbTime.Now(_clock), command.Parameters, "f");
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await ReadRecordsAsync(reader, requests.Count, ct);
    }

    /// <summary>
    /// The statement finding the rows under <paramref name="keys"/> — unexpired ones when <paramref name="now"/> is given:
    /// finished answers and the claims of requests still running (its values added to <paramref name="parameters"/>,
    /// named with <paramref name="prefix"/>). Read with <see cref="ReadRecordsAsync"/>.
    /// </summary>
    private static string FindRecordsSql(IReadOnlyList<(string Scope, string Key)> keys, DateTime? now, MySqlParameterCollection parameters, string prefix)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(parameters);
        var position = new StringBuilder("CASE");
        var rows = new StringBuilder();
        for (var i = 0; i < keys.Count; i++)
        {
            var p = $"@{prefix}{i}";
            position.Append(CultureInfo.InvariantCulture, $" WHEN scope = {p}s AND idem_key = {p}k THEN {i}");
            rows.Append(i == 0 ? "" : ", ").Append(CultureInfo.InvariantCulture, $"({p}s, {p}k)");
            parameters.AddWithValue($"{p}s", keys[i].Scope);
            parameters.AddWithValue($"{p}k", keys[i].Key);
        }

        var live = "";
        if (now is { } at)
        {
            parameters.AddWithValue($"@{prefix}Now", at);
            live = $" AND expires_at >= @{prefix}Now";
        }

        return $"""
            SELECT {position} END, request_hash, claim_token, completed, status_code, content_type, location, response_body
              FROM idempotency_requests WHERE (scope, idem_key) IN ({rows}){live}
            """;
    }

    /// <summary>The rows of the reader's current result (a <see cref="FindRecordsSql"/>), in the keys' order; null where there is none.</summary>
    private static async Task<KeyRecord?[]> ReadRecordsAsync(DbDataReader reader, int count, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var found = new KeyRecord?[count];
        while (await reader.ReadAsync(ct))
        {
            var answer = reader.GetBoolean(3)
                ? new StoredResponse(
                    reader.IsDBNull(4) ? 200 : reader.GetInt32(4),
                    reader.IsDBNull(5) ? null : reader.GetString(5),
                    reader.IsDBNull(6) ? null : reader.GetString(6),
                    reader.IsDBNull(7) ? [] : (byte[])reader.GetValue(7))
                : null;
            found[reader.GetInt32(0)] = new KeyRecord(reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), answer);
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
    /// that two writers lock rows in the same order. An expired record under the same key, or the request's own claim,
    /// is replaced; another's live answer or claim is not (the whole statement is refused).
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "An idempotency claim could not be extended ({Kind}: {Message}); the request goes on")]
    private static partial void LogClaimNotExtended(ILogger logger, string kind, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A key claimed in the database could not be released; a retry is told to come back until the claim runs out")]
    private static partial void LogClaimNotReleased(ILogger logger, Exception exception);

    public async ValueTask DisposeAsync()
    {
        await _lookups.DisposeAsync();
        await _claims.DisposeAsync();
        await _writes.DisposeAsync();
    }
}

