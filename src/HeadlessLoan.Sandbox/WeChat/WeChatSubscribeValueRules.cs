using System.Globalization;
using System.Text.RegularExpressions;

namespace HeadlessLoan.Sandbox.WeChat;

/// <summary>
/// WeChat's rules for a subscribe message's data values, by the key's prefix (<c>thing1</c> is a <c>thing</c>): the
/// lengths and formats of docs/sandbox.md and WECHAT.md. A key of a kind not listed is held to the common rules only: not
/// empty, no line breaks or control characters.
/// </summary>
internal static partial class WeChatSubscribeValueRules
{
    /// <summary>What is wrong with <paramref name="value"/> under <paramref name="key"/>'s rules, or null when it passes.</summary>
    public static string? Problem(string key, string value)
    {
        if (value.Length == 0)
        {
            return "is empty";
        }

        if (value.Any(char.IsControl))
        {
            return "contains a line break or a control character";
        }

        var length = new StringInfo(value).LengthInTextElements;
        return Kind().Match(key).Groups["kind"].Value switch
        {
            "thing" => length <= 20 ? null : "exceeds 20 characters",
            "number" => Number().IsMatch(value) && value.Count(char.IsAsciiDigit) <= 32 ? null : "is not a number of at most 32 digits",
            "letter" => Letters().IsMatch(value) ? null : "is not at most 32 letters",
            "symbol" => length <= 5 && value.All(c => char.IsPunctuation(c) || char.IsSymbol(c)) ? null : "is not at most 5 symbols",
            "character_string" => CharacterString().IsMatch(value) ? null : "is not at most 32 letters, digits and symbols",
            "time" => Range(value, Time()) ? null : "is not a 24-hour time",
            "date" => Range(value, Date()) ? null : "is not a date",
            "amount" => Amount().IsMatch(value) ? null : "is not an amount (a currency sign, at most 10 digits, maybe 元)",
            "phone_number" => PhoneNumber().IsMatch(value) ? null : "is not a phone number of at most 17 digits",
            "car_number" => length <= 8 ? null : "exceeds 8 characters",
            "name" => value.All(IsChinese) ? (length <= 10 ? null : "exceeds 10 Chinese characters")
                : !value.Any(IsChinese) && length <= 20 ? null : "is not at most 10 Chinese characters or 20 letters",
            "phrase" => length <= 5 && value.All(IsChinese) ? null : "is not at most 5 Chinese characters",
            _ => null,
        };
    }

    /// <summary>One point, or a period of two joined by <c>~</c>.</summary>
    private static bool Range(string value, Regex point) => value.Split('~') is { Length: 1 or 2 } parts && parts.All(p => point.IsMatch(p.Trim()));

    private static bool IsChinese(char c) => c is >= '\u4e00' and <= '\u9fff' or >= '\u3400' and <= '\u4dbf';

    [GeneratedRegex(@"^(?<kind>[a-z_]+?)\d*$")]
    private static partial Regex Kind();

    [GeneratedRegex(@"^\d+(\.\d+)?$")]
    private static partial Regex Number();

    [GeneratedRegex("^[A-Za-z]{1,32}$")]
    private static partial Regex Letters();

    [GeneratedRegex(@"^[\x21-\x7E]{1,32}$")]
    private static partial Regex CharacterString();

    private const string DatePart = @"\d{4}(年(0?[1-9]|1[0-2])月(0?[1-9]|[12]\d|3[01])日|(?<sep>[-/.])(0?[1-9]|1[0-2])\k<sep>(0?[1-9]|[12]\d|3[01]))";
    private const string TimePart = @"([01]?\d|2[0-3]):[0-5]\d(:[0-5]\d)?";

    [GeneratedRegex("^(" + DatePart + " ?)?" + TimePart + "$")]
    private static partial Regex Time();

    [GeneratedRegex("^" + DatePart + "( " + TimePart + ")?$")]
    private static partial Regex Date();

    [GeneratedRegex(@"^[¥￥$€£]?\d{1,10}(\.\d{1,2})?元?$")]
    private static partial Regex Amount();

    [GeneratedRegex(@"^\+?[\d-]{1,17}$")]
    private static partial Regex PhoneNumber();
}
