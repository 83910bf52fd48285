using HeadlessLoan.Domain.Schedules;

namespace HeadlessLoan.Domain.Tests.Schedules;

public sealed class GuardTests
{
    private static readonly ScheduleTerms Valid =
        new(100_000, 0.1m, 12, RepaymentMethod.EqualInstallment, new DateOnly(2025, 1, 1));

    public static TheoryData<ScheduleTerms, string> OutOfRange() => new()
    {
        { Valid with { Principal = 0 }, "terms.Principal" },
        { Valid with { Principal = ScheduleLimits.MaxPrincipal + 1 }, "terms.Principal" },
        { Valid with { AnnualRate = -0.000001m }, "terms.AnnualRate" },
        { Valid with { AnnualRate = 1.000001m }, "terms.AnnualRate" },
        { Valid with { TermMonths = 0 }, "terms.TermMonths" },
        { Valid with { TermMonths = 361 }, "terms.TermMonths" },
        { Valid with { Method = (RepaymentMethod)99 }, "terms.Method" },
        { Valid with { StartDate = new DateOnly(9999, 1, 1) }, "terms.StartDate" },
        { Valid with { StartDate = ScheduleLimits.MinStartDate.AddDays(-1) }, "terms.StartDate" },
        { Valid with { StartDate = ScheduleLimits.MaxStartDate.AddDays(1) }, "terms.StartDate" },
    };

    [Theory]
    [MemberData(nameof(OutOfRange))]
    public void Terms_outside_the_limits_throw_naming_the_field(ScheduleTerms terms, string paramName)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ScheduleCalculator.Build(terms));
        Assert.Equal(paramName, error.ParamName);
    }

    [Fact]
    public void Null_terms_throw()
    {
        Assert.Throws<ArgumentNullException>(() => ScheduleCalculator.Build(null!));
    }

    [Fact]
    public void Terms_at_the_limits_are_accepted()
    {
        ScheduleCalculator.Build(Valid with { Principal = ScheduleLimits.MinPrincipal, AnnualRate = ScheduleLimits.MinAnnualRate, TermMonths = ScheduleLimits.MinTermMonths });
        ScheduleCalculator.Build(Valid with { Principal = ScheduleLimits.MaxPrincipal, AnnualRate = ScheduleLimits.MaxAnnualRate, TermMonths = ScheduleLimits.MaxTermMonths });
        ScheduleCalculator.Build(Valid with { StartDate = ScheduleLimits.MinStartDate });
        ScheduleCalculator.Build(Valid with { StartDate = ScheduleLimits.MaxStartDate, TermMonths = ScheduleLimits.MaxTermMonths });
    }
}
