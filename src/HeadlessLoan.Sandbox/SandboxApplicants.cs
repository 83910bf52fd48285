using System.Globalization;
using System.Text;

namespace HeadlessLoan.Sandbox;

/// <summary>
/// Numbered applicants: a family of valid identities and bank cards, one per number 0 to 999999, so an integrator can
/// run the happy path again and again without the repeated-identity rule (one ID number or card in more than a few
/// applications) rejecting it. The number comes from a marker in the image (<c>hl-sandbox:id-front-valid:42</c>,
/// <c>hl-sandbox:card-valid:42</c>); the same number always gives the same identity and card.
/// </summary>
internal static class SandboxApplicants
{
    public const int MaxNumber = 999_999;

    // Dongcheng district, Beijing, like the samples; born 1980-01-01 to 1985-06-22, which no sample uses.
    private const string Region = "110101";
    private static readonly DateOnly FirstBirthDate = new(1980, 1, 1);
    private const int PerBirthDate = 500; // odd (male) sequence numbers 001 to 999

    private static readonly int[] IdWeights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    private const string IdCheckCharacters = "10X98765432";

    // An ICBC debit BIN (622202) as the sample card, then 0300 where the sample has 0200: no sample number is reused.
    private const string CardPrefix = "6222020300";

    /// <summary>
    /// The resident ID number of applicant <paramref name="number"/>: region 110101, born
    /// 1980-01-01 + number / 500 days, sequence (number % 500) × 2 + 1 (odd: male), GB 11643 check character.
    /// </summary>
    public static string IdNumber(int number)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(number);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(number, MaxNumber);
        var birth = FirstBirthDate.AddDays(number / PerBirthDate);
        var sequence = number % PerBirthDate * 2 + 1;
        var body = string.Create(CultureInfo.InvariantCulture, $"{Region}{birth:yyyyMMdd}{sequence:D3}");
        var sum = 0;
        for (var i = 0; i < body.Length; i++)
        {
            sum += (body[i] - '0') * IdWeights[i];
        }

        return body + IdCheckCharacters[sum % 11];
    }

    /// <summary>The 19-digit UnionPay card of applicant <paramref name="number"/>: 6222020300, the number in 8 digits, a Luhn check digit.</summary>
    public static string CardNumber(int number)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(number);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(number, MaxNumber);
        var body = string.Create(CultureInfo.InvariantCulture, $"{CardPrefix}{number:D8}");
        var sum = 0;
        for (var i = 0; i < body.Length; i++)
        {
            // Doubled: every second digit counting from the right of the full number, i.e. from the last digit of the body.
            var digit = body[body.Length - 1 - i] - '0';
            sum += i % 2 == 0 ? (digit * 2 > 9 ? digit * 2 - 9 : digit * 2) : digit;
        }

        return body + (char)('0' + (10 - sum % 10) % 10);
    }

    /// <summary>The number a request's image carries after <paramref name="prefix"/>, for the templates; null when none does.</summary>
    public static int? NumberIn(object? body, string prefix) =>
        body switch
        {
            byte[] bytes => ImageParts.MarkedNumber(bytes, prefix),
            string text => ImageParts.MarkedNumber(Encoding.UTF8.GetBytes(text), prefix),
            _ => null,
        };
}
