namespace HeadlessLoan.Domain.Schedules;

/// <summary>
/// The range of terms a schedule is defined for. The API validates against these first (422 with a
/// code); <see cref="ScheduleCalculator"/> only guards them.
/// </summary>
public static class ScheduleLimits
{
    /// <summary>One fen.</summary>
    public const long MinPrincipal = 1;

    /// <summary>100 million CNY in fen; keeps every intermediate product far inside decimal's range.</summary>
    public const long MaxPrincipal = 10_000_000_000;

    public const int MinTermMonths = 1;

    /// <summary>30 years.</summary>
    public const int MaxTermMonths = 360;

    public const decimal MinAnnualRate = 0m;

    /// <summary>100 % a year; far above any lawful rate, so the ceiling check is a product concern.</summary>
    public const decimal MaxAnnualRate = 1m;

    /// <summary>
    /// The earliest start date of a schedule: loans made since 2000 can be re-quoted, nothing older is a loan of ours.
    /// </summary>
    public static readonly DateOnly MinStartDate = new(2000, 1, 1);

    /// <summary>
    /// The latest start date: a schedule starts this century, so its last due date (at most 30 years on) is a real
    /// date that every store and client can hold.
    /// </summary>
    public static readonly DateOnly MaxStartDate = new(2100, 12, 31);

    /// <summary>
    /// Rates (annual and daily) are kept to a millionth (0.0001 %), the precision they are stored with. A rate with
    /// more is refused rather than rounded: a rounded rate could cross a ceiling the given one was checked against.
    /// </summary>
    public const int RateDecimalPlaces = 6;
}
