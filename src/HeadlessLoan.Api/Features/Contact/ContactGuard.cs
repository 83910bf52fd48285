using HeadlessLoan.Api.Platform;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Domain.Reminders;

namespace HeadlessLoan.Api.Features.Contact;

/// <summary>Who places a call: the stored names of contact_calls.source.</summary>
[FeatureApi]
public static class ContactSources
{
    public const string Reminder = "reminder";
    public const string Collector = "collector";
}

/// <summary>A borrower as the contact rules see them, locked for the change that is about to contact them.</summary>
[FeatureApi]
public sealed record BorrowerContact(Guid BorrowerId, bool DoNotContact, IReadOnlyList<PlacedCall> CallsToday);

/// <summary>
/// The contact rules' state, shared by everything that contacts a borrower (reminders, collectors): whoever is about
/// to contact one locks the borrower's row first (<see cref="LockAsync"/>), so two instances, or a reminder and a
/// collector, count each other's calls before they place their own and the day's cap holds across all of them.
/// </summary>
[FeatureApi]
public static class ContactGuard
{
    /// <summary>
    /// Locks the borrowers' contact rows (made on first use) in id order, so two changes that lock overlapping sets
    /// never wait on each other in a circle, and reads each one's flag and the calls placed to them since the start of
    /// yesterday in China (enough for every rule's window).
    /// </summary>
    public static async Task<IReadOnlyDictionary<Guid, BorrowerContact>> LockAsync(DbChange change, IReadOnlyCollection<Guid> borrowerIds, DateTime now, CancellationToken ct)
    {
        if (borrowerIds.Count == 0)
        {
            return new Dictionary<Guid, BorrowerContact>();
        }

        var ids = borrowerIds.Distinct().Order().ToArray();
        await EnsureRowsAsync(change, ids, now, ct);
        var flags = (await change.QueryAsync<(Guid BorrowerId, bool DoNotContact)>(
            "SELECT borrower_id, do_not_contact FROM borrower_contact WHERE borrower_id IN @ids ORDER BY borrower_id FOR UPDATE", new { ids }, ct)).ToArray();
        var since = ContactRules.StartOf(ContactRules.DayOf(DbTime.ToOffset(now)).AddDays(-1)).UtcDateTime;
        var calls = (await change.QueryAsync<(Guid BorrowerId, DateTime PlacedAt, bool? Connected)>(
                "SELECT borrower_id, placed_at, connected FROM contact_calls WHERE borrower_id IN @ids AND placed_at >= @since", new { ids, since }, ct))
            .ToLookup(c => c.BorrowerId, c => new PlacedCall(new DateTimeOffset(c.PlacedAt, TimeSpan.Zero), c.Connected));
        return flags.ToDictionary(f => f.BorrowerId, f => new BorrowerContact(f.BorrowerId, f.DoNotContact, calls[f.BorrowerId].ToArray()));
    }

    /// <summary>
    /// Makes the borrowers' contact rows that do not exist yet and takes every one's lock, exclusively and in id order.
    /// Not <c>INSERT IGNORE</c>: on a row that exists it takes a shared lock, and two changes each holding one on the
    /// same row deadlock when both then ask for it exclusively. A duplicate-key update locks it exclusively at once and
    /// changes nothing.
    /// </summary>
    public static Task EnsureRowsAsync(DbChange change, IReadOnlyCollection<Guid> borrowerIds, DateTime now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(change);
        return change.ExecuteAsync("""
            INSERT INTO borrower_contact (borrower_id, do_not_contact, updated_at)
            SELECT j.id, 0, @now FROM JSON_TABLE(@ids, '$[*]' COLUMNS (id CHAR(36) CHARACTER SET ascii PATH '$')) j ORDER BY j.id
            ON DUPLICATE KEY UPDATE borrower_id = borrower_id
            """, new { ids = JsonRows.Of(borrowerIds.Distinct().Order()), now }, ct);
    }

    /// <summary>A call placed (its outcome not known yet), in the change that holds the borrower's lock.</summary>
    public static Task RecordCallAsync(DbChange change, Guid borrowerId, string source, Guid sourceId, DateTime at, CancellationToken ct) =>
        change.ExecuteAsync("""
            INSERT IGNORE INTO contact_calls (id, borrower_id, placed_at, source, source_id, connected)
            VALUES (@id, @borrowerId, @at, @source, @sourceId, NULL)
            """, new { id = Guid.CreateVersion7(), borrowerId, at, source, sourceId }, ct);

    /// <summary>Whether a call connected, once its outcome is known.</summary>
    public static Task SetConnectedAsync(DbChange change, string source, Guid sourceId, bool connected, CancellationToken ct) =>
        change.ExecuteAsync("UPDATE contact_calls SET connected = @connected WHERE source = @source AND source_id = @sourceId",
            new { connected, source, sourceId }, ct);
}
