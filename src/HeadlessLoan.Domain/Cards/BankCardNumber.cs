namespace HeadlessLoan.Domain.Cards;

/// <summary>Debit/credit card numbers as issued in China: 16–19 digits with a Luhn check digit.</summary>
public static class BankCardNumber
{
    public const int MinLength = 16;
    public const int MaxLength = 19;

    /// <summary>Null when <paramref name="input"/> is a valid card number, else a code from <see cref="CardErrorCodes"/>.</summary>
    public static string? Check(string? input)
    {
        if (input is null || input.Length is < MinLength or > MaxLength)
        {
            return CardErrorCodes.FormatInvalid;
        }

        int sum = 0;
        bool doubleIt = false;
        for (int i = input.Length - 1; i >= 0; i--)
        {
            char c = input[i];
            if (!char.IsAsciiDigit(c))
            {
                return CardErrorCodes.FormatInvalid;
            }

            int digit = c - '0';
            if (doubleIt)
            {
                digit *= 2;
                if (digit > 9)
                {
                    digit -= 9;
                }
            }

            sum += digit;
            doubleIt = !doubleIt;
        }

        return sum % 10 == 0 ? null : CardErrorCodes.LuhnInvalid;
    }

    /// <summary>UnionPay issuer numbers start with 62.</summary>
    public static bool IsUnionPay(string number) =>
        number is not null && number.StartsWith("62", StringComparison.Ordinal);
}
