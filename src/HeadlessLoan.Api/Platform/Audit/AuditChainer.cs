using System.Globalization;
using System.Text;
using Dapper;
using HeadlessLoan.Api.Platform.Jobs;
using HeadlessLoan.Api.Platform.Database;
using MySqlConnector;

namespace HeadlessLoan.Api.Platform.Audit;

/// <summary>
/// The audit trail's single sequencer: appends committed records to the hash chain in id order, in batches, one
/// chainer at a time across instances (<c>GET_LOCK</c>). See docs/architecture.md, "How the audit chain works".
/// </summary>
/// <remarks>
/// A record whose transaction commits after records with higher ids were chained is found through the gaps the
/// chainer remembers (ids it skipped) and chained later, with a later sequence. A gap is forgotten after
/// <see cref="Settle"/> (a rolled-back transaction leaves one for good); a record committed later still is found when
/// a chainer starts, which looks for every unchained record once.
/// <para>
/// The lock is a session's, so the chainer keeps a connection of its own, outside the pool (a pooled connection would
/// go back to the pool still holding a lock it failed to release), and does its work on it: the work can go on only as
/// long as the lock is held. A connection that failed in any way is closed, which frees the lock at the server. One
/// whose client side broke may live on at the server, still holding the lock (and perhaps a statement): each connection
/// holds a second lock named for it alone, by which the chainer finds the session of the connection it lost and ends it
/// before it takes the lock again — so the lock is never left held, and never two chainers work at once.
/// </para>
/// </remarks>
public sealed partial class AuditChainer(MySqlDataSource db, TimeProvider clock, ILogger<AuditChainer> logger) : PollingWorker(logger)
{
    public const string LockName = "headless_loan.audit_chainer";
    public const int BatchSize = 1000;
    private const int MaxGaps = 100;
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(200);

    /// <summary>How long a skipped id is looked for again.</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromMinutes(10);

    private readonly SemaphoreSlim _local = new(1, 1);
    private readonly List<Gap> _gaps = [];
    private readonly string _ownConnection = new MySqlConnectionStringBuilder(db.ConnectionString) { Pooling = false }.ConnectionString;
    private long? _highest;
    private MySqlConnection? _connection;
    private string? _marker;
    private string? _lostMarker;

    protected override Task PauseAsync(CancellationToken ct) => Task.Delay(Pause, clock, ct);

    /// <summary>One pass of the background loop: chains what is pending unless another chainer is at work.</summary>
    public override Task<int> RunOnceAsync(CancellationToken ct) => ChainAsync(TimeSpan.Zero, ct);

    /// <summary>
    /// Chains every committed record not chained yet, waiting up to <paramref name="lockWait"/> (whole seconds) for a
    /// chainer at work elsewhere; returns how many records it chained (0 when it did not get its turn).
    /// </summary>
    public async Task<int> ChainAsync(TimeSpan lockWait, CancellationToken ct)
    {
        await _local.WaitAsync(ct);
        try
        {
            var conn = await TakeLockAsync((int)Math.Ceiling(lockWait.TotalSeconds), ct);
            if (conn is null)
            {
                return 0;
            }

            int total;
            try
            {
                total = await ChainPendingAsync(conn, ct);
                await conn.ExecuteAsync(new CommandDefinition("DO RELEASE_LOCK(@LockName)", new { LockName }, cancellationToken: CancellationToken.None));
            }
            catch
            {
                await LoseConnectionAsync();
                throw;
            }

            if (total > 0)
            {
                LogChained(logger, total);
            }

            return total;
        }
        finally
        {
            _local.Release();
        }
    }

    private async Task<int> ChainPendingAsync(MySqlConnection conn, CancellationToken ct)
    {
        await CatchUpAsync(conn, ct);
        var total = 0;
        int chained;
        do
        {
            chained = await ChainBatchAsync(conn, ct);
            total += chained;
        }
        while (chained == BatchSize);

        return total;
    }

    /// <summary>
    /// The chainer's connection holding the lock, or null when another chainer holds it. A kept connection that broke
    /// meanwhile (the database restarted) is found out by this first statement, when nothing is done yet: it is replaced
    /// once.
    /// </summary>
    private async Task<MySqlConnection?> TakeLockAsync(int waitSeconds, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var conn = await ConnectionAsync(ct);
            try
            {
                return await conn.ExecuteScalarAsync<long?>(new CommandDefinition(
                    "SELECT GET_LOCK(@LockName, @waitSeconds)", new { LockName, waitSeconds }, cancellationToken: ct)) == 1 ? conn : null;
            }
            catch (Exception e) when (attempt == 1 && DatabaseFaults.IsConnectionLost(e))
            {
                await LoseConnectionAsync();
            }
            catch
            {
                await LoseConnectionAsync();
                throw;
            }
        }
    }

    /// <summary>The chainer's own connection, opened with a lock named for it; the session of one it lost is ended first.</summary>
    private async Task<MySqlConnection> ConnectionAsync(CancellationToken ct)
    {
        if (_connection is { State: System.Data.ConnectionState.Open } kept)
        {
            return kept;
        }

        await LoseConnectionAsync();
        var conn = new MySqlConnection(_ownConnection);
        try
        {
            await conn.OpenAsync(ct);
            var marker = $"{LockName}.{Guid.NewGuid():N}";
            await conn.ExecuteAsync(new CommandDefinition("DO GET_LOCK(@marker, 0)", new { marker }, cancellationToken: ct));
            if (_lostMarker is { } lost)
            {
                await EndLostSessionAsync(conn, lost, ct);
                _lostMarker = null;
            }

            (_connection, _marker) = (conn, marker);
            return conn;
        }
        catch
        {
            await conn.DisposeAsync();
            throw;
        }
    }

    /// <summary>Ends the session of a connection this chainer lost, if the server still keeps it (it is the service's own).</summary>
    private async Task EndLostSessionAsync(MySqlConnection conn, string lostMarker, CancellationToken ct)
    {
        if (await conn.ExecuteScalarAsync<long?>(new CommandDefinition("SELECT IS_USED_LOCK(@lostMarker)", new { lostMarker }, cancellationToken: ct)) is not { } session)
        {
            return;
        }

        LogEndingLostSession(logger, session);
        try
        {
            await conn.ExecuteAsync(new CommandDefinition($"KILL CONNECTION {session}", cancellationToken: ct));
        }
        catch (MySqlException e) when (e.ErrorCode == MySqlErrorCode.NoSuchThread)
        {
            // Ended meanwhile.
        }
    }

    /// <summary>Closes the chainer's connection, which frees its locks at the server; remembers it, should its session live on.</summary>
    private async Task LoseConnectionAsync()
    {
        if (_connection is not { } conn)
        {
            return;
        }

        _lostMarker = _marker;
        (_connection, _marker) = (null, null);
        try
        {
            await conn.DisposeAsync();
        }
        catch (Exception e) when (e is MySqlException or IOException or InvalidOperationException)
        {
            // Broken already: the next connection ends its session if the server still keeps it.
        }
    }

    /// <summary>
    /// On the first turn, every id up to the chain's highest record is looked for once; when another chainer has
    /// worked since this one's last turn, the ids it covered are looked for as gaps (it may have skipped some).
    /// </summary>
    private async Task CatchUpAsync(MySqlConnection conn, CancellationToken ct)
    {
        var chainHighest = await conn.ExecuteScalarAsync<long?>(new CommandDefinition("SELECT MAX(record_seq) FROM audit_chain", cancellationToken: ct)) ?? 0;
        if (_highest is not { } highest)
        {
            _gaps.Clear();
            AddGap(1, chainHighest, DateTime.MinValue);
            _highest = chainHighest;
        }
        else if (chainHighest > highest)
        {
            AddGap(highest + 1, chainHighest, DbTime.Now(clock));
            _highest = chainHighest;
        }
    }

    private async Task<int> ChainBatchAsync(MySqlConnection conn, CancellationToken ct)
    {
        var highest = _highest ?? 0;
        // No template object: the text differs with the number of gaps, and a template would compile a binder for each.
        var args = new DynamicParameters();
        args.Add("highest", highest);
        args.Add("take", BatchSize);
        var where = new StringBuilder("r.seq > @highest");
        for (var i = 0; i < _gaps.Count; i++)
        {
            where.Append(CultureInfo.InvariantCulture, $" OR r.seq BETWEEN @lo{i} AND @hi{i}");
            args.Add("lo" + i.ToString(CultureInfo.InvariantCulture), _gaps[i].Lo);
            args.Add("hi" + i.ToString(CultureInfo.InvariantCulture), _gaps[i].Hi);
        }

        var pending = (await conn.QueryAsync<AuditRecord>(new CommandDefinition(
            AuditStore.SelectRecord + " WHERE (" + where + ") AND c.record_seq IS NULL ORDER BY r.seq LIMIT @take",
            args, cancellationToken: ct))).AsList();

        if (pending.Count > 0)
        {
            var tip = await conn.QueryFirstOrDefaultAsync<ChainTip>(new CommandDefinition(
                "SELECT sequence, hash FROM audit_chain ORDER BY sequence DESC LIMIT 1", cancellationToken: ct));
            var (sequence, prevHash) = tip is null ? (0L, AuditHash.Genesis) : (tip.Sequence, tip.Hash);
            var now = DbTime.Now(clock);
            var entries = new List<object>(pending.Count);
            foreach (var record in pending)
            {
                sequence++;
                var hash = AuditHash.Of(sequence, prevHash, record);
                entries.Add(new ChainEntry(sequence, record.Seq, prevHash, hash, now));
                prevHash = hash;
            }

            // One statement: the batch is chained whole or not at all. Its text differs with the batch's size, so it goes
            // through the driver directly (see DbChange.ManyRows).
            await using var insert = conn.CreateCommand();
            insert.CommandText = DbChange.ManyRows(InsertEntrySql, entries, insert.Parameters, "c");
            await insert.ExecuteNonQueryAsync(ct);
        }

        Remember(pending.Select(r => r.Seq), pending.Count < BatchSize);
        return pending.Count;
    }

    /// <summary>Moves past the chained ids: those in gaps fill them, the ids skipped between new ones become gaps.</summary>
    private void Remember(IEnumerable<long> chained, bool exhausted)
    {
        var now = DbTime.Now(clock);
        var highest = _highest ?? 0;
        foreach (var seq in chained)
        {
            if (seq <= highest)
            {
                var i = _gaps.FindIndex(g => g.Lo <= seq && seq <= g.Hi);
                if (i >= 0)
                {
                    var gap = _gaps[i];
                    _gaps.RemoveAt(i);
                    AddGap(gap.Lo, seq - 1, gap.Seen);
                    AddGap(seq + 1, gap.Hi, gap.Seen);
                }
            }
            else
            {
                AddGap(highest + 1, seq - 1, now);
                highest = seq;
            }
        }

        _highest = highest;
        if (exhausted)
        {
            // Nothing left in any gap that is committed now: gaps older than the settle time are given up.
            _gaps.RemoveAll(g => g.Seen < now - Settle);
        }
    }

    private void AddGap(long lo, long hi, DateTime seen)
    {
        if (lo > hi)
        {
            return;
        }

        _gaps.Add(new Gap(lo, hi, seen));
        if (_gaps.Count > MaxGaps)
        {
            // Too many to name one by one: one range covering them all (more ids looked at, none lost).
            var merged = new Gap(_gaps.Min(g => g.Lo), _gaps.Max(g => g.Hi), _gaps.Max(g => g.Seen));
            _gaps.Clear();
            _gaps.Add(merged);
        }
    }

    public override void Dispose()
    {
        _connection?.Dispose();
        _local.Dispose();
        base.Dispose();
    }

    private sealed record Gap(long Lo, long Hi, DateTime Seen);

    private sealed record ChainTip(long Sequence, string Hash);

    private sealed record ChainEntry(long Sequence, long RecordSeq, string PrevHash, string Hash, DateTime ChainedAt);

    private const string InsertEntrySql =
        "INSERT INTO audit_chain (sequence, record_seq, prev_hash, hash, chained_at) VALUES (@Sequence, @RecordSeq, @PrevHash, @Hash, @ChainedAt)";

    [LoggerMessage(Level = LogLevel.Warning, Message = "The audit chainer's lost connection lives on at the server as session {Session}; ending it before the chainer takes its lock again")]
    private static partial void LogEndingLostSession(ILogger logger, long session);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Chained {Count} audit records")]
    private static partial void LogChained(ILogger logger, int count);
}
