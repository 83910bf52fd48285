using Dapper;
using HeadlessLoan.Api.Platform.Database;
using MySqlConnector;

namespace HeadlessLoan.Api.Platform.Jobs;

/// <summary>
/// Leases in the database for jobs exactly one instance runs at a time: the instance holding a job's lease renews it
/// each time it works; another takes it only once it has run out (its holder stopped or crashed).
/// </summary>
public sealed class JobLeases(MySqlDataSource db, TimeProvider clock)
{
    /// <summary>Takes or renews <paramref name="job"/>'s lease for <paramref name="owner"/>; false while another instance holds it.</summary>
    public async Task<bool> HoldAsync(string job, Guid owner, TimeSpan lease, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(job);
        var now = DbTime.Now(clock);
        var until = now + lease;
        await using var conn = await db.OpenConnectionAsync(ct);
        var renewed = await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE job_leases SET taken_at = IF(owner = @owner, taken_at, @now), owner = @owner, lease_until = @until
             WHERE job = @job AND (owner = @owner OR lease_until < @now)
            """, new { job, owner, now, until }, cancellationToken: ct));
        if (renewed > 0)
        {
            return true;
        }

        return await conn.ExecuteAsync(new CommandDefinition(
            "INSERT IGNORE INTO job_leases (job, owner, lease_until, taken_at) VALUES (@job, @owner, @until, @now)",
            new { job, owner, now, until }, cancellationToken: ct)) > 0;
    }

    /// <summary>Gives the lease up (a stopping instance), so another takes the job at once.</summary>
    public async Task ReleaseAsync(string job, Guid owner, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("DELETE FROM job_leases WHERE job = @job AND owner = @owner", new { job, owner }, cancellationToken: ct));
    }
}
