namespace HeadlessLoan.Domain.Identity;

/// <summary>
/// An 18-character resident identity number (GB 11643-1999): 6-digit region, 8-digit birth date,
/// 3-digit sequence (odd = male) and an ISO 7064 MOD 11-2 check character.
/// </summary>
public sealed record ResidentIdNumber(string Value, string RegionCode, DateOnly BirthDate, bool IsMale)
{
    public const int Length = 18;
    private static readonly DateOnly EarliestBirthDate = new(1900, 1, 1);
    private static readonly int[] Weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    private const string CheckCharacters = "10X98765432";

    /// <summary>
    /// Validates <paramref name="input"/> in the order a person would fix it: shape, region, birth
    /// date, then the check character. A lowercase x is accepted and stored as X.
    /// </summary>
    /// <param name="today">Birth dates after this day are rejected; pass the injected clock's date.</param>
    public static IdCheck Check(string? input, DateOnly today)
    {
        if (!HasShape(input))
        {
            return Fail(IdErrorCodes.FormatInvalid);
        }

        string value = input[^1] == 'x' ? string.Concat(input.AsSpan(0, Length - 1), "X") : input;

        if (!IsProvince(Digits(value, 0, 2)))
        {
            return Fail(IdErrorCodes.RegionInvalid);
        }

        if (!TryBirthDate(value, out DateOnly birthDate) || birthDate < EarliestBirthDate || birthDate > today)
        {
            return Fail(IdErrorCodes.BirthDateInvalid);
        }

        if (value[^1] != ExpectedCheckCharacter(value))
        {
            return Fail(IdErrorCodes.ChecksumInvalid);
        }

        bool isMale = (value[16] - '0') % 2 == 1;
        return new IdCheck(new ResidentIdNumber(value, value[..6], birthDate, isMale), null);
    }

    /// <summary>Completed years of age on <paramref name="day"/>; a 29 February birthday counts from 1 March in other years.</summary>
    public int AgeOn(DateOnly day) => AgeOn(BirthDate, day);

    /// <summary>Completed years between a birth date and a day.</summary>
    public static int AgeOn(DateOnly birthDate, DateOnly day)
    {
        int age = day.Year - birthDate.Year;
        if (day.Month < birthDate.Month || (day.Month == birthDate.Month && day.Day < birthDate.Day))
        {
            age--;
        }

        return age;
    }

    private static IdCheck Fail(string code) => new(null, code);

    private static bool HasShape([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? input)
    {
        if (input is null || input.Length != Length)
        {
            return false;
        }

        for (int i = 0; i < Length - 1; i++)
        {
            if (!char.IsAsciiDigit(input[i]))
            {
                return false;
            }
        }

        char last = input[^1];
        return char.IsAsciiDigit(last) || last is 'X' or 'x';
    }

    // Province-level codes of GB/T 2260, plus 71 (Taiwan), 81 (Hong Kong) and 82 (Macao).
    private static bool IsProvince(int code) => code is
        (>= 11 and <= 15) or (>= 21 and <= 23) or (>= 31 and <= 37) or (>= 41 and <= 46)
        or (>= 50 and <= 54) or (>= 61 and <= 65) or 71 or 81 or 82;

    private static bool TryBirthDate(string value, out DateOnly birthDate)
    {
        int year = Digits(value, 6, 4);
        int month = Digits(value, 10, 2);
        int day = Digits(value, 12, 2);
        bool exists = year >= 1 && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month);
        birthDate = exists ? new DateOnly(year, month, day) : default;
        return exists;
    }

    private static char ExpectedCheckCharacter(string value)
    {
        int sum = 0;
        for (int i = 0; i < Length - 1; i++)
        {
            sum += (value[i] - '0') * Weights[i];
        }

        return CheckCharacters[sum % 11];
    }

    private static int Digits(string value, int start, int count)
    {
        int result = 0;
        for (int i = start; i < start + count; i++)
        {
            result = (result * 10) + (value[i] - '0');
        }

        return result;
    }
}
