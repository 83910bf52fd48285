using HeadlessLoan.Domain.Money;

namespace HeadlessLoan.Domain.Tests.Money;

public sealed class FenTests
{
    [Theory]
    [InlineData("2.5", 3)]
    [InlineData("2.4999999", 2)]
    [InlineData("2.5000001", 3)]
    [InlineData("0.5", 1)]
    [InlineData("0.4", 0)]
    [InlineData("-2.5", -3)]
    [InlineData("53073.2", 53073)]
    public void Rounds_halves_away_from_zero(string value, long expected)
    {
        Assert.Equal(expected, Fen.RoundHalfUp(decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Theory]
    [InlineData(53073, "530.73")]
    [InlineData(0, "0.00")]
    [InlineData(5, "0.05")]
    [InlineData(100, "1.00")]
    [InlineData(-5, "-0.05")]
    [InlineData(-12345, "-123.45")]
    [InlineData(10_000_000_000, "100000000.00")]
    public void Formats_fen_as_yuan_with_two_decimals(long fen, string expected)
    {
        Assert.Equal(expected, Fen.ToYuan(fen));
    }
}
