using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace HeadlessLoan.Domain.Reminders;

/// <summary>
/// What a reminder says, per template key and channel, versioned: the provider's template (a WeChat template_id, an
/// SMS template code, a voice TTS code), for WeChat the mini-program page it opens, and the fields the provider's
/// template fills in, each a text with variables in braces (<see cref="ReminderVariables"/>).
/// </summary>
public sealed record ReminderTemplate(string Key, ReminderChannel Channel, int Version, string ProviderTemplate, string? Page,
    IReadOnlyDictionary<string, string> Fields);

/// <summary>The values a template's fields may use, for one loan's reminder at the moment it is sent.</summary>
public sealed record ReminderVariables(string MaskedName, long AmountFen, DateOnly DueDate, int DaysOverdue, Guid LoanId)
{
    /// <summary>The variables a template may name.</summary>
    public static IReadOnlyList<string> Names { get; } = ["name", "amount", "dueDate", "daysOverdue", "loanId"];

    /// <summary>The longest values each variable can take: what a template is checked with when it is saved.</summary>
    public static ReminderVariables Longest { get; } = new("欧阳**********", 99_999_999_99, new DateOnly(2026, 12, 31), 366, Guid.Empty);

    public string Value(string name) => name switch
    {
        "name" => MaskedName,
        "amount" => Amount(AmountFen),
        "dueDate" => DueDate.ToString("yyyy年M月d日", CultureInfo.InvariantCulture),
        "daysOverdue" => DaysOverdue.ToString(CultureInfo.InvariantCulture),
        "loanId" => LoanId.ToString(),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "not a template variable"),
    };

    /// <summary>Fen as yuan with two decimals and 元 (WeChat's amount form): 1234.56元.</summary>
    public static string Amount(long fen) =>
        (fen / 100).ToString(CultureInfo.InvariantCulture) + "." + Math.Abs(fen % 100).ToString("00", CultureInfo.InvariantCulture) + "元";
}

/// <summary>What is wrong with a template: the part at fault (<c>fields.thing1</c>) and why, in words for the one who wrote it.</summary>
public sealed record TemplateProblem(string Field, string Message);

/// <summary>A template's fields filled in for one reminder, ready for the provider.</summary>
public sealed record RenderedReminder(string ProviderTemplate, string? Page, IReadOnlyDictionary<string, string> Fields);

/// <summary>Checks templates when they are saved and fills them in when a reminder is sent.</summary>
public static partial class ReminderTemplating
{
    public const int MaxFields = 10;

    public const int MaxFieldLength = 200;

    /// <summary>Aliyun allows each SMS or voice template variable at most 35 characters.</summary>
    public const int MaxProviderParamLength = 35;

    /// <summary>What is wrong with a template, naming the field; null when every field, filled with the longest values, is one the channel takes.</summary>
    public static string? Invalid(ReminderTemplate template) => Problem(template)?.Message;

    /// <summary>As <see cref="Invalid"/>, with the part of the template at fault: <c>providerTemplate</c>, <c>page</c>, <c>fields</c> or <c>fields.{key}</c>.</summary>
    public static TemplateProblem? Problem(ReminderTemplate template)
    {
        ArgumentNullException.ThrowIfNull(template);
        if (string.IsNullOrWhiteSpace(template.ProviderTemplate) || template.ProviderTemplate.Length > 64 || HasControl(template.ProviderTemplate))
        {
            return new("providerTemplate", "providerTemplate must be 1 to 64 characters without control characters");
        }

        if (template.Page is { } page && (page.Length > 200 || HasControl(page) || UnknownVariable(page) is not null))
        {
            return new("page", "page must be at most 200 characters, without control characters, naming only known variables");
        }

        if (template.Page is not null && template.Channel != ReminderChannel.WeChatSubscribe)
        {
            return new("page", "page is for WeChat subscribe messages only");
        }

        if (template.Fields.Count is 0 or > MaxFields)
        {
            return new("fields", $"a template has 1 to {MaxFields} fields");
        }

        foreach (var (key, text) in template.Fields)
        {
            if (!FieldKey().IsMatch(key))
            {
                return new("fields." + key, $"field {key}: keys are letters, digits and '_' (WeChat's thing1, amount2, …; the provider template's variable names)");
            }

            if (text.Length > MaxFieldLength || HasControl(text))
            {
                return new("fields." + key, $"field {key}: at most {MaxFieldLength} characters, no line breaks or control characters");
            }

            if (UnknownVariable(text) is { } unknown)
            {
                return new("fields." + key, $"field {key}: unknown variable {{{unknown}}}; known: {string.Join(", ", ReminderVariables.Names.Select(n => "{" + n + "}"))}");
            }

            // Only a variable's value may be cut when sent: text written into the template that alone is over the limit
            // would go out cut every time, so it is refused here.
            if (CutRule(template.Channel, key) is { } rule && Length(Variable().Replace(text, "")) is var fixedLength && fixedLength > rule.Max)
            {
                return new("fields." + key, $"field {key}: its fixed text is {fixedLength} characters, over the {rule.Max} the field takes (only variables' values are cut)");
            }

            var filled = Fit(template.Channel, key, Fill(text, ReminderVariables.Longest));
            if (ValueProblem(template.Channel, key, filled) is { } problem)
            {
                return new("fields." + key, $"field {key}: {problem} (filled with the longest values: \"{filled}\")");
            }
        }

        return null;
    }

    /// <summary>The template filled in for <paramref name="values"/>; text that may be shortened is cut to the channel's limits.</summary>
    public static RenderedReminder Render(ReminderTemplate template, ReminderVariables values)
    {
        ArgumentNullException.ThrowIfNull(template);
        var fields = template.Fields.ToDictionary(f => f.Key, f => Fit(template.Channel, f.Key, Fill(f.Value, values)), StringComparer.Ordinal);
        return new RenderedReminder(template.ProviderTemplate, template.Page is null ? null : Fill(template.Page, values), fields);
    }

    /// <summary>What WeChat (or the SMS/voice provider) would refuse in a filled field; null when it takes it.</summary>
    public static string? ValueProblem(ReminderChannel channel, string key, string value)
    {
        if (HasControl(value))
        {
            return "no line breaks or control characters";
        }

        if (channel != ReminderChannel.WeChatSubscribe)
        {
            return Length(value) <= MaxProviderParamLength ? null : $"at most {MaxProviderParamLength} characters";
        }

        var length = Length(value);
        return KindOf(key) switch
        {
            "thing" => length is >= 1 and <= 20 ? null : "thing: 1 to 20 characters",
            "number" => NumberValue().IsMatch(value) && value.Count(char.IsAsciiDigit) <= 32 ? null : "number: at most 32 digits, may have a decimal point",
            "letter" => length <= 32 && value.All(char.IsAsciiLetter) ? null : "letter: at most 32 letters",
            "symbol" => length <= 5 && !value.Any(char.IsLetterOrDigit) ? null : "symbol: at most 5 symbols",
            "character_string" => length <= 32 && value.All(c => c < 128 && !char.IsWhiteSpace(c)) ? null : "character_string: at most 32 letters, digits or symbols",
            "time" => TimeValue().IsMatch(value) ? null : "time: a 24-hour time such as 15:01, or a date with one",
            "date" => DateValue().IsMatch(value) ? null : "date: a date such as 2026年6月15日 or 2026-06-15, may have a time",
            "amount" => AmountValue().IsMatch(value) ? null : "amount: one currency sign and at most 10 digits, may end in 元",
            "phone_number" => length <= 17 && value.All(c => char.IsAsciiDigit(c) || c is '+' or '-' or ' ') ? null : "phone_number: at most 17 digits or symbols",
            "car_number" => length <= 8 ? null : "car_number: at most 8 characters",
            "name" => (value.All(char.IsAsciiLetter) ? length <= 20 : length <= 10) && length >= 1 ? null : "name: at most 10 Chinese characters or 20 letters",
            "phrase" => length is >= 1 and <= 5 && !value.Any(char.IsAsciiDigit) ? null : "phrase: at most 5 Chinese characters",
            var kind => $"{kind} is not a WeChat subscribe message field type",
        };
    }

    /// <summary>WeChat's field type: the key without its number (thing1 → thing).</summary>
    public static string KindOf(string key) => key.TrimEnd("0123456789".ToCharArray());

    /// <summary>Cuts text that may be cut (a thing, a name, a phrase, an SMS variable) to its limit, never inside a character.</summary>
    private static string Fit(ReminderChannel channel, string key, string value) =>
        CutRule(channel, key) is not { } rule ? value
        : Cut(value, channel == ReminderChannel.WeChatSubscribe && KindOf(key) == "name" && value.All(char.IsAsciiLetter) ? 20 : rule.Max, rule.Ellipsis);

    /// <summary>The length text of a field is cut to when sent and the mark a cut leaves; null for a field that is never cut (an amount, a date).</summary>
    private static (int Max, string Ellipsis)? CutRule(ReminderChannel channel, string key)
    {
        if (channel != ReminderChannel.WeChatSubscribe)
        {
            return (MaxProviderParamLength, "…");
        }

        return KindOf(key) switch
        {
            "thing" => (20, "…"),
            "character_string" or "letter" => (32, ""),
            "name" => (10, ""),
            "phrase" or "symbol" => (5, ""),
            _ => null,
        };
    }

    private static string Fill(string text, ReminderVariables values) =>
        Variable().Replace(text, m => Clean(values.Value(m.Groups[1].Value)));

    private static string? UnknownVariable(string text) =>
        Variable().Matches(text).Select(m => m.Groups[1].Value).FirstOrDefault(name => !ReminderVariables.Names.Contains(name));

    /// <summary>Characters as a reader counts them: text elements, so an emoji or a rare character is one and never split.</summary>
    private static int Length(string value) => new StringInfo(value).LengthInTextElements;

    private static string Cut(string value, int max, string ellipsis)
    {
        var info = new StringInfo(value);
        if (info.LengthInTextElements <= max)
        {
            return value;
        }

        return info.SubstringByTextElements(0, max - ellipsis.Length) + ellipsis;
    }

    private static bool HasControl(string value) => value.Any(char.IsControl) || value.Contains('\u2028') || value.Contains('\u2029');

    /// <summary>A value from the loan's data never carries control characters into a message.</summary>
    private static string Clean(string value)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var c in value.Where(c => !char.IsControl(c)))
        {
            builder.Append(c);
        }

        return builder.ToString();
    }

    [GeneratedRegex(@"\{([A-Za-z]+)\}")]
    private static partial Regex Variable();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_]{0,31}$")]
    private static partial Regex FieldKey();

    [GeneratedRegex(@"^-?\d+(\.\d+)?$")]
    private static partial Regex NumberValue();

    [GeneratedRegex(@"^(\d{4}([年./-])\d{1,2}([月./-])\d{1,2}日?\s*)?([01]?\d|2[0-3]):[0-5]\d(:[0-5]\d)?$")]
    private static partial Regex TimeValue();

    [GeneratedRegex(@"^\d{4}([年./-])\d{1,2}([月./-])\d{1,2}日?(\s*([01]?\d|2[0-3]):[0-5]\d(:[0-5]\d)?)?$")]
    private static partial Regex DateValue();

    [GeneratedRegex(@"^[¥￥$€£]?(?=(?:\D*\d){1,10}\D*$)\d+(\.\d{1,2})?元?$")]
    private static partial Regex AmountValue();
}
