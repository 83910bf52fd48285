using HeadlessLoan.Domain.Rates;

namespace HeadlessLoan.Domain.Tests.Rates;

public sealed class InterestCeilingTests
{
    [Fact]
    public void Ceiling_is_the_lpr_times_the_multiplier()
    {
        Assert.Equal(0.12m, InterestCeiling.Of(0.03m, InterestCeiling.CourtProtectedMultiplier));
        Assert.Equal(0.1485m, InterestCeiling.Of(0.0495m, 3m));
    }

    [Fact]
    public void Rate_at_the_ceiling_is_protected_and_above_it_is_not()
    {
        Assert.False(InterestCeiling.Exceeds(0.12m, 0.12m));
        Assert.False(InterestCeiling.Exceeds(0.119999m, 0.12m));
        Assert.True(InterestCeiling.Exceeds(0.120001m, 0.12m));
    }

    [Fact]
    public void Negative_inputs_throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => InterestCeiling.Of(-0.01m, 4m));
        Assert.Throws<ArgumentOutOfRangeException>(() => InterestCeiling.Of(0.03m, -1m));
    }
}
