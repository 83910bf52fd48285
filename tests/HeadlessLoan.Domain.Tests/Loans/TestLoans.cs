using HeadlessLoan.Domain.Ledger;
using HeadlessLoan.Domain.Loans;
using HeadlessLoan.Domain.Schedules;

namespace HeadlessLoan.Domain.Tests.Loans;

/// <summary>Loans in a given state for the servicing tests: a schedule, then what was paid and charged on its periods.</summary>
internal static class TestLoans
{
    /// <summary>12,000 CNY at 12 % over 12 months, equal installment (1,066.19 a month), from 15 January 2026, 10 CNY fee a period.</summary>
    public static readonly DateOnly Disbursed = new(2026, 1, 15);

    public const decimal Rate = 0.12m;

    public static LoanPeriod[] Reference(RepaymentMethod method = RepaymentMethod.EqualInstallment, long principal = 1_200_000, int months = 12, long fee = 1_000) =>
        Schedule(principal, Rate, months, method, Disbursed, fee);

    public static LoanPeriod[] Schedule(long principal, decimal rate, int months, RepaymentMethod method, DateOnly start, long fee) =>
        [.. LoanSchedule.From(ScheduleCalculator.Build(new ScheduleTerms(principal, rate, months, method, start)), fee)];

    /// <summary>Periods <paramref name="numbers"/> paid in full, penalty included.</summary>
    public static LoanPeriod[] PaidInFull(this LoanPeriod[] periods, params int[] numbers) =>
        [.. periods.Select(p => numbers.Contains(p.Period) ? p with { Paid = p.Due } : p)];

    /// <summary>Period <paramref name="number"/> with <paramref name="paid"/> paid and, when given, <paramref name="penalty"/> charged.</summary>
    public static LoanPeriod[] With(this LoanPeriod[] periods, int number, LoanComponents paid, long? penalty = null) =>
        [.. periods.Select(p => p.Period != number ? p : p with { Paid = paid, Due = p.Due with { Penalty = penalty ?? p.Due.Penalty } })];

    public static LoanPeriod Period(this IEnumerable<LoanPeriod> periods, int number) => periods.Single(p => p.Period == number);
}
