using FsCheck;
using FsCheck.Fluent;
using HeadlessLoan.Domain.Schedules;

namespace HeadlessLoan.Domain.Tests.Schedules;

/// <summary>Any terms inside <see cref="ScheduleLimits"/>, leaning on the edges where rounding bites.</summary>
public static class ScheduleTermsArbitrary
{
    private static readonly Gen<long> Principal = Gen.Frequency(
        (1, Gen.Choose(1, 1000).Select(i => (long)i)),
        (1, Gen.Constant(ScheduleLimits.MaxPrincipal)),
        (6, from millions in Gen.Choose(0, 9_999)
            from rest in Gen.Choose(0, 999_999)
            select (millions * 1_000_000L) + rest + 1));

    // Up to 6 decimals, as the API accepts.
    private static readonly Gen<decimal> Rate = Gen.Frequency(
        (1, Gen.Constant(0m)),
        (1, Gen.Constant(1m)),
        (8, Gen.Choose(0, 1_000_000).Select(i => i / 1_000_000m)));

    private static readonly Gen<int> Term = Gen.Frequency(
        (1, Gen.Elements(1, 360)),
        (6, Gen.Choose(1, 360)));

    private static readonly Gen<DateOnly> Start =
        Gen.Choose(new DateOnly(2000, 1, 1).DayNumber, new DateOnly(2100, 12, 31).DayNumber)
            .Select(DateOnly.FromDayNumber);

    public static Arbitrary<ScheduleTerms> Terms() => Arb.From(
        from principal in Principal
        from rate in Rate
        from term in Term
        from method in Gen.Elements(Enum.GetValues<RepaymentMethod>())
        from start in Start
        select new ScheduleTerms(principal, rate, term, method, start));
}
