using System.Globalization;
using System.Text;
using HeadlessLoan.Api.Platform.Errors;

namespace HeadlessLoan.Api.Platform.Paging;

/// <summary>Where a keyset page ended: the last item's creation time and id (the list's order).</summary>
public sealed record ListPosition(DateTime CreatedAt, Guid Id);

/// <summary>Keyset pages: callers get an opaque <c>nextCursor</c> and pass it back as <c>after</c>.</summary>
public static class Pages
{
    private const string NotACursor = "Not a cursor from this API; pass nextCursor as it was returned.";

    /// <summary>Reads <paramref name="cursor"/> as a list position, or records a field error when it is not one.</summary>
    public static ListPosition? After(this RequestValidator v, string? cursor, string field = "after")
    {
        ArgumentNullException.ThrowIfNull(v);
        if (cursor is null)
        {
            return null;
        }

        if (TryRead(cursor, out var position))
        {
            return position;
        }

        v.Add(field, NotACursor);
        return null;
    }

    /// <summary>Reads <paramref name="cursor"/> as a positive sequence number, or records a field error.</summary>
    public static long? AfterSequence(this RequestValidator v, string? cursor, string field = "after")
    {
        ArgumentNullException.ThrowIfNull(v);
        if (cursor is null)
        {
            return null;
        }

        if (long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var seq) && seq > 0)
        {
            return seq;
        }

        v.Add(field, NotACursor);
        return null;
    }

    /// <summary>
    /// The first <paramref name="take"/> of <paramref name="rows"/> (fetched with one more than asked) and the cursor of the
    /// next page, or null when there is none.
    /// </summary>
    public static (List<T> Items, string? Next) Of<T>(IReadOnlyList<T> rows, int take, Func<T, string> cursorOf)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(cursorOf);
        var items = rows.Take(take).ToList();
        return (items, rows.Count > take ? cursorOf(items[^1]) : null);
    }

    /// <summary>Opaque to callers: base64url of the last item's creation time (ticks) and id.</summary>
    public static string Cursor(ListPosition p)
    {
        ArgumentNullException.ThrowIfNull(p);
        return Convert.ToBase64String(Encoding.ASCII.GetBytes($"{p.CreatedAt.Ticks.ToString(CultureInfo.InvariantCulture)}:{p.Id:N}"))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    public static string Cursor(long sequence) => sequence.ToString(CultureInfo.InvariantCulture);

    internal static bool TryRead(string cursor, out ListPosition? position)
    {
        position = null;
        if (cursor.Length is 0 or > 100)
        {
            return false;
        }

        var base64 = cursor.Replace('-', '+').Replace('_', '/');
        base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
        var buffer = new byte[base64.Length];
        if (!Convert.TryFromBase64String(base64, buffer, out var written))
        {
            return false;
        }

        var parts = Encoding.ASCII.GetString(buffer, 0, written).Split(':');
        if (parts.Length != 2
            || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            || ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks
            || !Guid.TryParseExact(parts[1], "N", out var id))
        {
            return false;
        }

        position = new ListPosition(new DateTime(ticks, DateTimeKind.Utc), id);
        return true;
    }
}
