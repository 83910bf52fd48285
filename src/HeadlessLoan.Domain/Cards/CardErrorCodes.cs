namespace HeadlessLoan.Domain.Cards;

/// <summary>Stable codes returned by <see cref="BankCardNumber.Check"/>.</summary>
public static class CardErrorCodes
{
    public const string FormatInvalid = "card_format_invalid";
    public const string LuhnInvalid = "card_luhn_invalid";
}
