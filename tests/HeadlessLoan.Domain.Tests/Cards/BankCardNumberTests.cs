using HeadlessLoan.Domain.Cards;

namespace HeadlessLoan.Domain.Tests.Cards;

public sealed class BankCardNumberTests
{
    [Theory]
    [InlineData("6222020200112345679")] // 19 digits, UnionPay
    [InlineData("6222020200112347")] // 16 digits, UnionPay
    [InlineData("4111111111111111")]
    public void Luhn_valid_numbers_of_16_to_19_digits_pass(string number)
    {
        Assert.Null(BankCardNumber.Check(number));
    }

    [Theory]
    [InlineData("6222020200112345678")]
    [InlineData("6222020200112348")]
    [InlineData("4111111111111112")]
    public void Wrong_check_digit_is_a_luhn_error(string number)
    {
        Assert.Equal("card_luhn_invalid", BankCardNumber.Check(number));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("622202020011234")] // 15 digits
    [InlineData("62220202001123456790")] // 20 digits
    [InlineData("622202020011234567a")]
    [InlineData("6222 0202 0011 2347")]
    public void Wrong_length_or_non_digits_is_a_format_error(string? number)
    {
        Assert.Equal("card_format_invalid", BankCardNumber.Check(number));
    }

    [Theory]
    [InlineData("6222020200112345679", true)]
    [InlineData("4111111111111111", false)]
    [InlineData("", false)]
    public void UnionPay_cards_start_with_62(string number, bool expected)
    {
        Assert.Equal(expected, BankCardNumber.IsUnionPay(number));
    }
}
