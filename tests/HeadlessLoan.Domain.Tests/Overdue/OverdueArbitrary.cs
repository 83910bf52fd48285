using FsCheck;
using FsCheck.Fluent;
using HeadlessLoan.Domain.Loans;
using HeadlessLoan.Domain.Overdue;
using HeadlessLoan.Domain.Schedules;
using HeadlessLoan.Domain.Tests.Loans;

namespace HeadlessLoan.Domain.Tests.Overdue;

/// <summary>One period's overdue principal under penalty terms, for a number of days, on a loan already charged some penalty.</summary>
public sealed record PenaltyCase(long Principal, PenaltyTerms Terms, int Days, long ChargedBefore);

/// <summary>A usable classification table and a number of days past due.</summary>
public sealed record TableCase(ClassificationTable Table, int DaysPastDue)
{
    public override string ToString() => $"floors {string.Join("/", Table.Floors.Select(f => f.MinDaysPastDue))}, {DaysPastDue} days";
}

/// <summary>A tenant's business date and how many days were left unclosed before it.</summary>
public sealed record UnclosedDays(DateOnly BusinessDate, int Days);

/// <summary>A loan in any stored state (<see cref="LoanStateArbitrary"/>) as the close of business sees it on its day, and a number of days to close after that.</summary>
public sealed record CobCase(LoanCobFacts Facts, DateOnly On, int Days)
{
    public override string ToString() =>
        $"{Facts.Status} closed through {Facts.ClosedThrough:yyyy-MM-dd}, {Facts.Class}, override {Facts.Override?.Class}, {Facts.Penalty}, +{Days} days; {new LoanState(Facts.Periods, 0, RepaymentMethod.EqualInstallment, Facts.DisbursedOn, On)}";
}

/// <summary>
/// Values across the ranges the overdue rules meet: principal from a fen to the schedule maximum, daily rates to 0.1 %
/// (six decimals), ceilings to 36 % (so it binds on some rates and not on others), caps from already reached to none.
/// </summary>
public static class OverdueArbitrary
{
    private static Gen<long> Wide(long max) =>
        from high in Gen.Choose(0, (int)Math.Min(max / 1_000_000, int.MaxValue))
        from low in Gen.Choose(0, 999_999)
        select Math.Min(max, (high * 1_000_000L) + low);

    private static readonly Gen<long> Principal = Gen.Frequency(
        (2, Gen.Choose(0, 5_000).Select(i => (long)i)),
        (1, Gen.Constant(ScheduleLimits.MaxPrincipal)),
        (5, Wide(ScheduleLimits.MaxPrincipal)));

    private static readonly Gen<decimal> DailyRate = Gen.Frequency(
        (1, Gen.Elements(0m, 0.0005m, 0.001m)),
        (6, Gen.Choose(0, 1_000).Select(i => i / 1_000_000m)));

    private static readonly Gen<decimal> Ceiling = Gen.Frequency(
        (1, Gen.Elements(0m, 0.18m, 0.24m)),
        (4, Gen.Choose(0, 3_600).Select(i => i / 10_000m)));

    /// <summary>A cap relative to what is charged already: reached, a little or a lot above it, or none.</summary>
    private static Gen<long> Cap(long charged) => Gen.Frequency(
        (1, Gen.Constant(long.MaxValue)),
        (1, Gen.Constant(charged)),
        (3, Gen.Choose(0, 5_000).Select(i => charged + i)),
        (1, Wide(ScheduleLimits.MaxPrincipal).Select(i => charged + i)));

    public static Arbitrary<PenaltyCase> Penalties() => Arb.From(
        from principal in Principal
        from rate in DailyRate
        from ceiling in Ceiling
        from charged in Gen.Choose(0, 100_000)
        from cap in Cap(charged)
        from days in Gen.Choose(1, 400)
        select new PenaltyCase(principal, new PenaltyTerms(rate, ceiling, cap), days, charged));

    public static Arbitrary<TableCase> Tables() => Arb.From(
        from gaps in Gen.ArrayOf(Gen.Choose(1, 400), 4)
        from dpd in Gen.Frequency((1, Gen.Choose(0, 3)), (4, Gen.Choose(0, 2_000)))
        select new TableCase(TableOf(gaps), dpd));

    public static Arbitrary<UnclosedDays> Unclosed() => Arb.From(
        from day in Gen.Choose(new DateOnly(2000, 1, 2).DayNumber, new DateOnly(2100, 12, 31).DayNumber)
        from days in Gen.Frequency((1, Gen.Elements(1, BusinessDates.MaxCatchUpDays)), (4, Gen.Choose(1, BusinessDates.MaxCatchUpDays)))
        select new UnclosedDays(DateOnly.FromDayNumber(day), days));

    public static Arbitrary<CobCase> Loans() => Arb.From(
        from state in LoanStateArbitrary.Any().Generator
        from rate in DailyRate
        from ceiling in Ceiling
        from cap in Cap(state.Periods.Sum(p => p.Due.Penalty))
        from status in Gen.Elements(LoanStatus.Active, LoanStatus.Overdue)
        from closedBefore in Gen.Frequency((1, Gen.Constant<int?>(null)), (4, Gen.Choose(1, 60).Select(i => (int?)i)))
        from riskClass in Gen.Elements(Enum.GetValues<RiskClass>())
        from standing in Gen.Frequency((5, Gen.Constant<RiskClass?>(null)), (1, Gen.Elements(Enum.GetValues<RiskClass>()).Select(c => (RiskClass?)c)))
        from days in Gen.Frequency((2, Gen.Constant(1)), (3, Gen.Choose(1, 40)))
        select new CobCase(
            new LoanCobFacts(status, state.DisbursedOn, state.Periods, new PenaltyTerms(rate, ceiling, cap),
                closedBefore is { } k ? state.On.AddDays(-k) : null, riskClass, OverrideOf(standing), state.Periods.Sum(p => p.Due.Penalty)),
            state.On, days));

    /// <summary>The table whose floors start at 0 and step by <paramref name="gaps"/>.</summary>
    public static ClassificationTable TableOf(int[] gaps)
    {
        var floors = new ClassFloor[5];
        floors[0] = new ClassFloor(RiskClass.Normal, 0);
        for (var i = 1; i < 5; i++)
        {
            floors[i] = new ClassFloor((RiskClass)i, floors[i - 1].MinDaysPastDue + gaps[i - 1]);
        }

        return new ClassificationTable(2, floors);
    }

    private static ClassOverride? OverrideOf(RiskClass? standing) =>
        standing is { } c ? new ClassOverride(c, Guid.CreateVersion7(), Guid.CreateVersion7(), "judged by the risk team") : null;
}
