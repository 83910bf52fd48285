namespace HeadlessLoan.Domain.Schedules;

/// <summary>
/// One instalment, amounts in fen. <see cref="Payment"/> is always <see cref="Principal"/> +
/// <see cref="Interest"/>; <see cref="RemainingPrincipal"/> is what is owed after it is paid.
/// </summary>
public sealed record SchedulePeriod(
    int Period,
    DateOnly DueDate,
    long Principal,
    long Interest,
    long Payment,
    long RemainingPrincipal);
