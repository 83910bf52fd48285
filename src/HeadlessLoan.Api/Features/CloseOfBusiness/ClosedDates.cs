using Dapper;
using HeadlessLoan.Api.Platform;
using MySqlConnector;

namespace HeadlessLoan.Api.Features.CloseOfBusiness;

/// <summary>Whether a COB date is closed: what the day's later work (reminders, collections) waits for, so it sees the day's overdue marks.</summary>
[FeatureApi]
public sealed class ClosedDates(MySqlDataSource db, TimeProvider clock)
{
    public async Task<bool> IsClosedAsync(DateOnly cobDate, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT status FROM cob_runs WHERE cob_date = @cobDate", new { cobDate = cobDate.ToDateTime(TimeOnly.MinValue) }, cancellationToken: ct)) == CobRunStatus.Completed;
    }

    /// <summary>
    /// The business date (today in China) when a day's work that follows the close is due: <paramref name="doneSql"/>,
    /// the caller's count of its marker rows for <c>@day</c>, finds none, and the close of the day before has completed.
    /// Null otherwise: done already, or the close still running.
    /// </summary>
    public async Task<DateOnly?> DueTodayAsync(string doneSql, CancellationToken ct)
    {
        var today = ChinaTime.Today(clock);
        await using (var conn = await db.OpenConnectionAsync(ct))
        {
            if (await conn.ExecuteScalarAsync<int>(new CommandDefinition(doneSql, new { day = today.ToDateTime(TimeOnly.MinValue) }, cancellationToken: ct)) > 0)
            {
                return null;
            }
        }

        return await IsClosedAsync(today.AddDays(-1), ct) ? today : null;
    }
}
