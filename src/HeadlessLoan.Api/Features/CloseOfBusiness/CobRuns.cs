using Dapper;
using HeadlessLoan.Api.Platform.Audit;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Domain.Overdue;
using MySqlConnector;

namespace HeadlessLoan.Api.Features.CloseOfBusiness;

public sealed record CobRunRow(DateTime CobDate, string Status, long LoansProcessed, Guid? CursorLoanId, int Failures, string? LastError, DateTime StartedAt, DateTime? FinishedAt);

/// <summary>A slice of a run's loans (ids after its cursor up to <see cref="LastLoanId"/>, or every later id for the last slice), closed a batch at a time.</summary>
public sealed record CobRunSlice(int Slice, Guid? LastLoanId, Guid? CursorLoanId, int LoansProcessed, int Batches, bool Done);

public static class CobRunStatus
{
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";
}

/// <summary>What a staff rerun of a COB date came to.</summary>
public enum CobRerunOutcome
{
    Rerun,
    NotFound,
    NotFailed,
}

/// <summary>
/// The business date and the COB runs: which date is open, where its run has got to (its slices, each with a cursor
/// moved in each of its batches' transactions, so a crashed run resumes after the last batch of each that committed),
/// and how runs ended.
/// </summary>
public sealed class CobRuns(MySqlDataSource db)
{
    /// <summary>The one business date of this deployment.</summary>
    public const string Tenant = "default";

    /// <summary>The date to close next and its run (created when new), or null when every date up to <paramref name="businessDate"/> − 1 is closed or a failed one waits for staff.</summary>
    public async Task<CobRunRow?> OpenRunAsync(DateOnly businessDate, DateTime now, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO business_dates (tenant, business_date, updated_at) VALUES (@tenant, @date, @now)
            ON DUPLICATE KEY UPDATE updated_at = IF(business_date < VALUES(business_date), VALUES(updated_at), updated_at),
                                    business_date = GREATEST(business_date, VALUES(business_date))
            """, new { tenant = Tenant, date = businessDate.ToDateTime(TimeOnly.MinValue), now }, cancellationToken: ct));
        var open = await conn.QuerySingleOrDefaultAsync<CobRunRow>(new CommandDefinition(
            SelectRun + " WHERE status <> @completed ORDER BY cob_date LIMIT 1", new { completed = CobRunStatus.Completed }, cancellationToken: ct));
        if (open is not null)
        {
            return open.Status == CobRunStatus.Running ? open : null;
        }

        var lastClosed = await conn.ExecuteScalarAsync<DateTime?>(new CommandDefinition("SELECT MAX(cob_date) FROM cob_runs", cancellationToken: ct));
        var toClose = BusinessDates.ToClose(lastClosed is { } d ? DateOnly.FromDateTime(d) : null, businessDate);
        if (toClose.Count == 0)
        {
            return null;
        }

        var next = toClose[0];
        var cobDate = next.ToDateTime(TimeOnly.MinValue);
        await conn.ExecuteAsync(new CommandDefinition(
            "INSERT IGNORE INTO cob_runs (cob_date, status, started_at) VALUES (@cobDate, @running, @now)",
            new { cobDate, running = CobRunStatus.Running, now }, cancellationToken: ct));
        return await conn.QuerySingleAsync<CobRunRow>(new CommandDefinition(SelectRun + " WHERE cob_date = @cobDate", new { cobDate }, cancellationToken: ct));
    }

    /// <summary>Locks the run's row in <paramref name="change"/> (a staff rerun; the cutting of its slices).</summary>
    public static Task<CobRunRow?> LockAsync(DbChange change, DateOnly cobDate, CancellationToken ct) =>
        change.QuerySingleOrDefaultAsync<CobRunRow>(SelectRun + " WHERE cob_date = @cobDate FOR UPDATE", new { cobDate = cobDate.ToDateTime(TimeOnly.MinValue) }, ct);

    /// <summary>
    /// The running date's slices, cut when it has none yet, under the run's row lock (so two runners cut them once):
    /// the loan ids after the run's cursor split in up to <paramref name="workers"/> ranges of about as many loans,
    /// no more ranges than batches of <paramref name="batchSize"/> fill. Null when the date is not running.
    /// </summary>
    public async Task<IReadOnlyList<CobRunSlice>?> SlicesAsync(DateOnly cobDate, int workers, int batchSize, AuditTrail audit, CancellationToken ct)
    {
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        if (await LockAsync(change, cobDate, ct) is not { Status: CobRunStatus.Running } run)
        {
            return null;
        }

        var date = new { cobDate = cobDate.ToDateTime(TimeOnly.MinValue) };
        var slices = (await change.QueryAsync<CobRunSlice>(SelectSlice + " WHERE cob_date = @cobDate ORDER BY slice", date, ct)).ToList();
        if (slices.Count == 0)
        {
            var from = run.CursorLoanId;
            var loans = await change.ScalarAsync<long>("SELECT COUNT(*) FROM loans WHERE id > CONVERT(COALESCE(@from, '') USING ascii)", new { from }, ct);
            var count = (int)Math.Clamp((loans + batchSize - 1) / batchSize, 1, workers);
            var bounds = new List<Guid?>();
            for (var k = 1; k < count; k++)
            {
                bounds.Add(await change.ScalarAsync<Guid?>("SELECT id FROM loans WHERE id > CONVERT(COALESCE(@from, '') USING ascii) ORDER BY id LIMIT 1 OFFSET @skip",
                    new { from, skip = (loans * k / count) - 1 }, ct));
            }

            bounds.Add(null);
            // The first slice counts what the run closed before it had slices (a run begun before there were any).
            slices = bounds.Select((last, k) => new CobRunSlice(k, last, k == 0 ? from : bounds[k - 1], k == 0 ? checked((int)run.LoansProcessed) : 0, 0, false)).ToList();
            foreach (var slice in slices)
            {
                change.Write("""
                    INSERT INTO cob_run_slices (cob_date, slice, last_loan_id, cursor_loan_id, loans_processed) VALUES (@cobDate, @Slice, @LastLoanId, @CursorLoanId, @LoansProcessed)
                    """, new { date.cobDate, slice.Slice, slice.LastLoanId, slice.CursorLoanId, slice.LoansProcessed });
            }
        }

        await change.CommitAsync(ct);
        return slices;
    }

    /// <summary>Locks a slice's row in the batch's change: whoever holds it writes the slice's next batch (a second runner waits, then sees the moved cursor).</summary>
    public static Task<CobRunSlice?> LockSliceAsync(DbChange change, DateOnly cobDate, int slice, CancellationToken ct) =>
        change.QuerySingleOrDefaultAsync<CobRunSlice>(SelectSlice + " WHERE cob_date = @cobDate AND slice = @slice FOR UPDATE",
            new { cobDate = cobDate.ToDateTime(TimeOnly.MinValue), slice }, ct);

    /// <summary>Whether the run is still running, its row read shared in the batch's change: a failure or a rerun waits for the batch.</summary>
    public static async Task<bool> IsRunningAsync(DbChange change, DateOnly cobDate, CancellationToken ct) =>
        await change.ScalarAsync<string>("SELECT status FROM cob_runs WHERE cob_date = @cobDate LOCK IN SHARE MODE",
            new { cobDate = cobDate.ToDateTime(TimeOnly.MinValue) }, ct) == CobRunStatus.Running;

    /// <summary>Moves a slice on past a batch, in the batch's change; a batch that reached no loan completes the slice.</summary>
    public static Task AdvanceSliceAsync(DbChange change, DateOnly cobDate, int slice, int processed, Guid? last, CancellationToken ct) =>
        change.ExecuteAsync(processed == 0
                ? "UPDATE cob_run_slices SET done = TRUE WHERE cob_date = @cobDate AND slice = @slice"
                : "UPDATE cob_run_slices SET loans_processed = loans_processed + @processed, batches = batches + 1, cursor_loan_id = @last WHERE cob_date = @cobDate AND slice = @slice",
            new { cobDate = cobDate.ToDateTime(TimeOnly.MinValue), slice, processed, last }, ct);

    /// <summary>Completes the running date once every slice is done, with the loans they closed; false when it was not to complete.</summary>
    public async Task<bool> CompleteAsync(DateOnly cobDate, DateTime now, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE cob_runs r SET r.status = @completed, r.finished_at = @now,
                   r.loans_processed = (SELECT SUM(s.loans_processed) FROM cob_run_slices s WHERE s.cob_date = r.cob_date)
             WHERE r.cob_date = @cobDate AND r.status = @running
               AND EXISTS (SELECT 1 FROM cob_run_slices s WHERE s.cob_date = r.cob_date)
               AND NOT EXISTS (SELECT 1 FROM cob_run_slices s WHERE s.cob_date = r.cob_date AND NOT s.done)
            """, new { cobDate = cobDate.ToDateTime(TimeOnly.MinValue), now, completed = CobRunStatus.Completed, running = CobRunStatus.Running }, cancellationToken: ct)) == 1;
    }

    /// <summary>Records a batch that failed: the run stops at its cursor until staff rerun it.</summary>
    public async Task FailAsync(DateOnly cobDate, string error, DateTime now, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE cob_runs SET status = @failed, failures = failures + 1, last_error = LEFT(@error, 400), finished_at = @now WHERE cob_date = @cobDate
            """, new { cobDate = cobDate.ToDateTime(TimeOnly.MinValue), error, now, failed = CobRunStatus.Failed }, cancellationToken: ct));
    }

    /// <summary>Hands a failed date back to the job, from where it stopped; audited as <paramref name="actor"/>.</summary>
    public async Task<(CobRerunOutcome Outcome, CobRunRow? Run)> RerunAsync(DateOnly cobDate, AuditActor actor, AuditTrail audit, DateTime now, CancellationToken ct)
    {
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        if (await LockAsync(change, cobDate, ct) is not { } run)
        {
            return (CobRerunOutcome.NotFound, null);
        }

        if (run.Status != CobRunStatus.Failed)
        {
            return (CobRerunOutcome.NotFailed, run);
        }

        await change.ExecuteAsync("UPDATE cob_runs SET status = @running, finished_at = NULL WHERE cob_date = @cobDate",
            new { cobDate = run.CobDate, running = CobRunStatus.Running }, ct);
        change.Record(new AuditEntry(actor, "cob_run.rerun", "cob_run", cobDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            new { status = run.Status, run.Failures, run.LastError, run.LoansProcessed }, new { status = CobRunStatus.Running }), now);
        await change.CommitAsync(ct);
        return (CobRerunOutcome.Rerun, run with { Status = CobRunStatus.Running, FinishedAt = null });
    }

    public async Task<(DateOnly? BusinessDate, IReadOnlyList<CobRunRow> Runs)> ListAsync(int limit, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var results = await conn.QueryMultipleAsync(new CommandDefinition($"""
            SELECT business_date FROM business_dates WHERE tenant = @tenant;
            {SelectRunProgress} ORDER BY cob_date DESC LIMIT @limit
            """, new { tenant = Tenant, limit }, cancellationToken: ct));
        var date = await results.ReadSingleOrDefaultAsync<DateTime?>();
        return (date is { } d ? DateOnly.FromDateTime(d) : null, (await results.ReadAsync<CobRunRow>()).AsList());
    }

    /// <summary>The classification table in force (the latest version), read locked: the batch's plain reads are to see what is committed once its loans are locked, not before.</summary>
    public static async Task<ClassificationTable> ClassificationAsync(DbChange change, CancellationToken ct)
    {
        var (version, floors) = await change.QuerySingleOrDefaultAsync<(int, string)>(
            "SELECT version, floors FROM risk_classification_tables ORDER BY version DESC LIMIT 1 LOCK IN SHARE MODE", null, ct);
        return version == 0
            ? throw new InvalidOperationException("No classification table: migration 0025 seeds version 1.")
            : Stored(version, floors);
    }

    /// <summary>A table as stored: <c>normal:0,special_mention:1,…</c>, each class with its floor in days past due.</summary>
    private static ClassificationTable Stored(int version, string floors)
    {
        var table = new ClassificationTable(version, floors.Split(',').Select(f => f.Split(':')).Select(f =>
            new ClassFloor(RiskClassNames.Parse(f[0]), int.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture))).ToList());
        return table.Problem() is { } problem ? throw new InvalidDataException($"Classification table {version} as stored is not usable: {problem}.") : table;
    }

    private const string SelectRun =
        "SELECT cob_date, status, CAST(loans_processed AS SIGNED) AS loans_processed, cursor_loan_id, failures, last_error, started_at, finished_at FROM cob_runs";

    /// <summary>A run with the loans its slices have closed so far.</summary>
    private const string SelectRunProgress = """
        SELECT r.cob_date, r.status,
               CAST(COALESCE((SELECT SUM(s.loans_processed) FROM cob_run_slices s WHERE s.cob_date = r.cob_date), r.loans_processed) AS SIGNED) AS loans_processed,
               r.cursor_loan_id, r.failures, r.last_error, r.started_at, r.finished_at
          FROM cob_runs r
        """;

    private const string SelectSlice = "SELECT slice, last_loan_id, cursor_loan_id, loans_processed, batches, done FROM cob_run_slices";
}
