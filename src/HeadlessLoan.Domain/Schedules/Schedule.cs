namespace HeadlessLoan.Domain.Schedules;

/// <summary>
/// A repayment plan. <see cref="Apr"/> is the borrower's annualised IRR (monthly IRR × 12) and
/// <see cref="EffectiveAnnualRate"/> its compounded form, both rounded half-up to 6 places; they
/// are what the lender must disclose, and can differ from the nominal rate (e.g. for bullet loans).
/// </summary>
public sealed record Schedule(
    IReadOnlyList<SchedulePeriod> Periods,
    long TotalInterest,
    long TotalPayment,
    decimal Apr,
    decimal EffectiveAnnualRate);
