using Dapper;
using HeadlessLoan.Api.Platform;
using MySqlConnector;

namespace HeadlessLoan.Api.Features.CloseOfBusiness;

/// <summary>Whether a COB date is closed: what the day's later work (reminders) waits for, so it sees the day's overdue marks.</summary>
[FeatureApi]
public sealed class ClosedDates(MySqlDataSource db)
{
    public async Task<bool> IsClosedAsync(DateOnly cobDate, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT status FROM cob_runs WHERE cob_date = @cobDate", new { cobDate = cobDate.ToDateTime(TimeOnly.MinValue) }, cancellationToken: ct)) == CobRunStatus.Completed;
    }
}
