using HeadlessLoan.Domain.Schedules;

namespace HeadlessLoan.Domain.Tests.Schedules;

public sealed class RepaymentMethodNamesTests
{
    [Theory]
    [InlineData(RepaymentMethod.EqualInstallment, "equal_installment")]
    [InlineData(RepaymentMethod.EqualPrincipal, "equal_principal")]
    [InlineData(RepaymentMethod.InterestFirst, "interest_first")]
    [InlineData(RepaymentMethod.Bullet, "bullet")]
    public void Wire_names_are_snake_case_and_round_trip(RepaymentMethod method, string wire)
    {
        Assert.Equal(wire, RepaymentMethodNames.ToWire(method));
        Assert.True(RepaymentMethodNames.TryParse(wire, out RepaymentMethod parsed));
        Assert.Equal(method, parsed);
    }

    [Fact]
    public void All_lists_every_method_in_declaration_order()
    {
        Assert.Equal(
            Enum.GetValues<RepaymentMethod>().Select(RepaymentMethodNames.ToWire),
            RepaymentMethodNames.All);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Bullet")]
    [InlineData("EqualInstallment")]
    [InlineData("equal-installment")]
    [InlineData("0")]
    public void Other_spellings_are_rejected(string? wire)
    {
        Assert.False(RepaymentMethodNames.TryParse(wire, out _));
    }

    [Fact]
    public void Unknown_method_has_no_wire_name()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RepaymentMethodNames.ToWire((RepaymentMethod)42));
    }
}
