namespace HeadlessLoan.Api.Platform.Database;

/// <summary>Storage keeps UTC <c>DATETIME(6)</c>; the API shows the same instant with an offset.</summary>
public static class DbTime
{
    /// <summary>Now, cut to the microsecond the database stores, so a value read back equals the value written.</summary>
    public static DateTime Now(TimeProvider clock)
    {
        var t = clock.GetUtcNow().UtcDateTime;
        return new DateTime(t.Ticks - (t.Ticks % 10), DateTimeKind.Utc);
    }

    public static DateTimeOffset ToOffset(DateTime storedUtc) => new(DateTime.SpecifyKind(storedUtc, DateTimeKind.Utc));

    public static DateTimeOffset? ToOffset(DateTime? storedUtc) => storedUtc is { } t ? ToOffset(t) : null;
}
