namespace HeadlessLoan.Domain.Schedules;

/// <summary>What a schedule is built from. Principal in fen; annual rate as a fraction (0.049 = 4.9 %).</summary>
public sealed record ScheduleTerms(
    long Principal,
    decimal AnnualRate,
    int TermMonths,
    RepaymentMethod Method,
    DateOnly StartDate);
