namespace HeadlessLoan.Api.Platform;

/// <summary>Loans are dated in China's time zone: UTC+8, no daylight saving.</summary>
public static class ChinaTime
{
    public static readonly TimeSpan Offset = TimeSpan.FromHours(8);

    public static DateOnly Today(TimeProvider clock) => DateOnly.FromDateTime(clock.GetUtcNow().ToOffset(Offset).DateTime);
}
