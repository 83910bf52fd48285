using Dapper;
using HeadlessLoan.Api.Platform.Audit;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Domain.Overdue;
using MySqlConnector;

namespace HeadlessLoan.Api.Features.CloseOfBusiness;

public sealed record CobRunRow(DateTime CobDate, string Status, int LoansProcessed, Guid? CursorLoanId, int Failures, string? LastError, DateTime StartedAt, DateTime? FinishedAt);

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
/// The business date and the COB runs: which date is open, where its run has got to (the cursor, moved in each batch's
/// transaction, so a crashed run resumes after the last batch that committed), and how runs ended.
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

    /// <summary>Locks the run's row in the batch's change: whoever holds it writes this date's next batch (a second runner waits, then sees the moved cursor).</summary>
    public static Task<CobRunRow?> LockAsync(DbChange change, DateOnly cobDate, CancellationToken ct) =>
        change.QuerySingleOrDefaultAsync<CobRunRow>(SelectRun + " WHERE cob_date = @cobDate FOR UPDATE", new { cobDate = cobDate.ToDateTime(TimeOnly.MinValue) }, ct);

    /// <summary>Moves the run on past a batch, in the batch's change; a batch that reached no loan completes the run.</summary>
    public static Task AdvanceAsync(DbChange change, DateOnly cobDate, int processed, Guid? last, DateTime now, CancellationToken ct) =>
        change.ExecuteAsync(processed == 0
                ? "UPDATE cob_runs SET status = @completed, finished_at = @now WHERE cob_date = @cobDate"
                : "UPDATE cob_runs SET loans_processed = loans_processed + @processed, cursor_loan_id = @last WHERE cob_date = @cobDate",
            new { cobDate = cobDate.ToDateTime(TimeOnly.MinValue), processed, last, now, completed = CobRunStatus.Completed }, ct);

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
            {SelectRun} ORDER BY cob_date DESC LIMIT @limit
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
        "SELECT cob_date, status, loans_processed, cursor_loan_id, failures, last_error, started_at, finished_at FROM cob_runs";
}
