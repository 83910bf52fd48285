namespace HeadlessLoan.Domain.Reminders;

/// <summary>
/// The rules every contact with a borrower keeps, whoever makes it (a reminder, a collector): no contact in the quiet
/// hours, at most <see cref="MaxConnectedCallsPerDay"/> connected calls a day across every channel and agent, and the
/// voice provider's limits per number. Times are China time (UTC+8, no daylight saving); the day is the China date.
/// </summary>
public sealed record ContactRules
{
    public static readonly TimeSpan ChinaOffset = TimeSpan.FromHours(8);

    /// <summary>The quiet hours begin (22:00 by default) …</summary>
    public TimeOnly QuietFrom { get; init; } = new(22, 0);

    /// <summary>… and end (08:00 by default); equal ends mean no quiet hours.</summary>
    public TimeOnly QuietUntil { get; init; } = new(8, 0);

    /// <summary>Calls that reached the borrower (or may have: the outcome not known yet) on one day, every caller counted.</summary>
    public int MaxConnectedCallsPerDay { get; init; } = 3;

    /// <summary>The voice provider's limits per called number.</summary>
    public int MaxCallsPerMinute { get; init; } = 1;

    public int MaxCallsPerHour { get; init; } = 5;

    public int MaxCallsPerDay { get; init; } = 20;

    public static ContactRules Default { get; } = new();

    /// <summary>Whether <paramref name="at"/> falls in the quiet hours.</summary>
    public bool IsQuiet(DateTimeOffset at)
    {
        var local = TimeOnly.FromDateTime(at.ToOffset(ChinaOffset).DateTime);
        if (QuietFrom == QuietUntil)
        {
            return false;
        }

        return QuietFrom < QuietUntil
            ? local >= QuietFrom && local < QuietUntil
            : local >= QuietFrom || local < QuietUntil;
    }

    /// <summary>The first moment at or after <paramref name="at"/> outside the quiet hours.</summary>
    public DateTimeOffset NextAllowed(DateTimeOffset at)
    {
        if (!IsQuiet(at))
        {
            return at;
        }

        var local = at.ToOffset(ChinaOffset);
        var end = new DateTimeOffset(DateOnly.FromDateTime(local.DateTime).ToDateTime(QuietUntil), ChinaOffset);
        return end > local ? end.ToUniversalTime() : end.AddDays(1).ToUniversalTime();
    }

    /// <summary>The China date of <paramref name="at"/>.</summary>
    public static DateOnly DayOf(DateTimeOffset at) => DateOnly.FromDateTime(at.ToOffset(ChinaOffset).DateTime);

    /// <summary>The moment a China date begins, in UTC.</summary>
    public static DateTimeOffset StartOf(DateOnly day) => new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), ChinaOffset).ToUniversalTime();

    /// <summary>
    /// When a call may be placed to a borrower, given the calls already placed to them (each with whether it connected,
    /// null while not known): <paramref name="now"/> when it may go now, else the first moment every rule allows. A call
    /// whose outcome is not known counts as connected, so the day's cap holds even before the receipts come in.
    /// </summary>
    public DateTimeOffset NextCallAllowed(DateTimeOffset now, IReadOnlyCollection<PlacedCall> calls)
    {
        ArgumentNullException.ThrowIfNull(calls);
        var at = NextAllowed(now);
        // Each limit can push the time on, and a later time can meet another limit: go round until none does.
        for (var round = 0; round < 8; round++)
        {
            var next = Later(at, calls);
            if (next == at)
            {
                return at;
            }

            at = NextAllowed(next);
        }

        return at;
    }

    private DateTimeOffset Later(DateTimeOffset at, IReadOnlyCollection<PlacedCall> calls)
    {
        var day = DayOf(at);
        var today = calls.Where(c => DayOf(c.At) == day && c.At <= at).ToArray();
        var nextDay = StartOf(day.AddDays(1));
        if (today.Count(c => c.Connected != false) >= MaxConnectedCallsPerDay || today.Length >= MaxCallsPerDay)
        {
            return nextDay;
        }

        var inHour = today.Where(c => c.At > at.AddHours(-1)).OrderBy(c => c.At).ToArray();
        if (inHour.Length >= MaxCallsPerHour)
        {
            return inHour[inHour.Length - MaxCallsPerHour].At.AddHours(1);
        }

        var inMinute = inHour.Where(c => c.At > at.AddMinutes(-1)).ToArray();
        return inMinute.Length >= MaxCallsPerMinute ? inMinute[inMinute.Length - MaxCallsPerMinute].At.AddMinutes(1) : at;
    }
}

/// <summary>A call placed to a borrower: when, and whether it connected (null: not known yet).</summary>
public readonly record struct PlacedCall(DateTimeOffset At, bool? Connected);
