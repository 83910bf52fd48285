using System.Globalization;
using System.Text;
using AnyOfTypes;
using WireMock.Admin.Mappings;
using WireMock.Matchers;
using WireMock.Models;

namespace HeadlessLoan.Sandbox;

/// <summary>
/// Body matchers the mapping files name for what WireMock.Net's own matchers cannot see: WireMock keeps
/// a binary multipart body (any real image) as bytes only, and its string matchers never look at bytes.
/// </summary>
internal static class SandboxMatchers
{
    public static Dictionary<string, Func<MatcherModel, IMatcher>> Mappings() => new(StringComparer.Ordinal)
    {
        [MultipartImageMarkerMatcher.MatcherName] = model =>
            new MultipartImageMarkerMatcher(Behaviour(model), RequiredPattern(model)),
        [NumberedImageMarkerMatcher.MatcherName] = model =>
            new NumberedImageMarkerMatcher(Behaviour(model), RequiredPattern(model)),
        [BodyLargerThanMatcher.MatcherName] = model =>
            new BodyLargerThanMatcher(Behaviour(model), long.Parse(RequiredPattern(model), NumberStyles.None, CultureInfo.InvariantCulture)),
    };

    private static MatchBehaviour Behaviour(MatcherModel model) =>
        model.RejectOnMatch == true ? MatchBehaviour.RejectOnMatch : MatchBehaviour.AcceptOnMatch;

    private static string RequiredPattern(MatcherModel model) =>
        model.Pattern as string is { Length: > 0 } pattern
            ? pattern
            : throw new InvalidDataException($"Matcher {model.Name} needs a string Pattern");
}

/// <summary>
/// <c>SandboxImageMarker</c>: the multipart part named <c>img</c> (WeChat's OCR field) contains the
/// pattern's bytes, e.g. the <c>hl-sandbox:id-front-valid</c> text chunk of a sample image.
/// </summary>
internal sealed class MultipartImageMarkerMatcher(MatchBehaviour matchBehaviour, string marker) : IObjectMatcher, IStringMatcher
{
    public const string MatcherName = "SandboxImageMarker";

    private readonly byte[] _marker = Encoding.UTF8.GetBytes(marker);

    public string Name => MatcherName;

    public MatchBehaviour MatchBehaviour => matchBehaviour;

    public MatchOperator MatchOperator => MatchOperator.Or;

    public object Value => marker;

    public MatchResult IsMatch(object? input) =>
        Result(input is byte[] body && ImagePartContainsMarker(body));

    // A multipart body that happens to be valid UTF-8 reaches the matcher as a string.
    public MatchResult IsMatch(string? input) =>
        Result(input is not null && ImagePartContainsMarker(Encoding.UTF8.GetBytes(input)));

    public AnyOf<string, StringPattern>[] GetPatterns() => [marker];

    public string GetCSharpCodeArguments() => $"\"{marker}\"";

    private MatchResult Result(bool matched) =>
        MatchResult.From(Name, MatchScores.ToScore(matched != (MatchBehaviour == MatchBehaviour.RejectOnMatch)));

    private bool ImagePartContainsMarker(ReadOnlySpan<byte> body)
    {
        foreach (var image in ImageParts.Of(body))
        {
            if (image.AsSpan().IndexOf(_marker) >= 0)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>
/// <c>SandboxImageMarkerNumber</c>: the multipart part named <c>img</c> contains the pattern followed by a number of
/// 1 to 6 digits, e.g. <c>hl-sandbox:id-front-valid:42</c> for the pattern <c>hl-sandbox:id-front-valid:</c>.
/// </summary>
internal sealed class NumberedImageMarkerMatcher(MatchBehaviour matchBehaviour, string prefix) : IObjectMatcher, IStringMatcher
{
    public const string MatcherName = "SandboxImageMarkerNumber";

    public string Name => MatcherName;

    public MatchBehaviour MatchBehaviour => matchBehaviour;

    public MatchOperator MatchOperator => MatchOperator.Or;

    public object Value => prefix;

    public MatchResult IsMatch(object? input) => Result(input is byte[] body && ImageParts.MarkedNumber(body, prefix) is not null);

    // A multipart body that happens to be valid UTF-8 reaches the matcher as a string.
    public MatchResult IsMatch(string? input) => Result(input is not null && ImageParts.MarkedNumber(Encoding.UTF8.GetBytes(input), prefix) is not null);

    public AnyOf<string, StringPattern>[] GetPatterns() => [prefix];

    public string GetCSharpCodeArguments() => $"\"{prefix}\"";

    private MatchResult Result(bool matched) =>
        MatchResult.From(Name, MatchScores.ToScore(matched != (MatchBehaviour == MatchBehaviour.RejectOnMatch)));
}

/// <summary>The image parts (field <c>img</c>, WeChat's OCR field) of a multipart/form-data body, read as bytes.</summary>
internal static class ImageParts
{
    private const string FieldName = "img";

    /// <summary>The most digits a numbered marker may carry: numbers 0 to 999999.</summary>
    public const int MaxDigits = 6;

    /// <summary>
    /// The number after the first <paramref name="prefix"/> in an image part that is followed by 1 to 6 digits and then
    /// no further digit; null when there is none.
    /// </summary>
    public static int? MarkedNumber(ReadOnlySpan<byte> body, string prefix)
    {
        var marker = Encoding.UTF8.GetBytes(prefix);
        foreach (var image in Of(body))
        {
            var rest = image.AsSpan();
            for (var at = rest.IndexOf(marker); at >= 0; at = rest.IndexOf(marker))
            {
                rest = rest[(at + marker.Length)..];
                var digits = 0;
                while (digits < rest.Length && rest[digits] is >= (byte)'0' and <= (byte)'9')
                {
                    digits++;
                }

                if (digits is >= 1 and <= MaxDigits)
                {
                    return int.Parse(rest[..digits], NumberStyles.None, CultureInfo.InvariantCulture);
                }
            }
        }

        return null;
    }

    /// <summary>The contents of every part named <c>img</c>.</summary>
    public static List<byte[]> Of(ReadOnlySpan<byte> body)
    {
        var images = new List<byte[]>();
        foreach (var (headers, content) in MultipartParts(body))
        {
            if (IsImageField(headers))
            {
                images.Add(content);
            }
        }

        return images;
    }

    // Splits a multipart/form-data body by the boundary on its first line (clients send no preamble).
    private static List<(string Headers, byte[] Content)> MultipartParts(ReadOnlySpan<byte> body)
    {
        var parts = new List<(string, byte[])>();
        var firstLineEnd = body.IndexOf("\r\n"u8);
        if (!body.StartsWith("--"u8) || firstLineEnd < 3)
        {
            return parts;
        }

        byte[] delimiter = [.. "\r\n"u8, .. body[..firstLineEnd]];
        var rest = body[(firstLineEnd + 2)..];
        while (true)
        {
            var headersEnd = rest.IndexOf("\r\n\r\n"u8);
            var partEnd = rest.IndexOf(delimiter);
            if (headersEnd < 0 || partEnd < headersEnd)
            {
                return parts;
            }

            parts.Add((Encoding.UTF8.GetString(rest[..headersEnd]), rest[(headersEnd + 4)..partEnd].ToArray()));
            rest = rest[(partEnd + delimiter.Length)..];
            if (!rest.StartsWith("\r\n"u8))
            {
                return parts; // "--" closes the body.
            }

            rest = rest[2..];
        }
    }

    private static bool IsImageField(string headers)
    {
        foreach (var line in headers.Split("\r\n"))
        {
            if (!line.StartsWith("Content-Disposition:", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            foreach (var parameter in line.Split(';'))
            {
                var pair = parameter.Trim().Split('=', 2);
                if (pair is [var key, var value]
                    && key.Trim().Equals("name", StringComparison.OrdinalIgnoreCase)
                    && value.Trim().Trim('"') == FieldName)
                {
                    return true;
                }
            }
        }

        return false;
    }
}

/// <summary><c>SandboxBodyLargerThan</c>: the request body has more bytes than the pattern, e.g. WeChat's 2 MB image limit.</summary>
internal sealed class BodyLargerThanMatcher(MatchBehaviour matchBehaviour, long limit) : IObjectMatcher, IStringMatcher
{
    public const string MatcherName = "SandboxBodyLargerThan";

    public string Name => MatcherName;

    public MatchBehaviour MatchBehaviour => matchBehaviour;

    public MatchOperator MatchOperator => MatchOperator.Or;

    public object Value => limit;

    public MatchResult IsMatch(object? input) => Result(input is byte[] body && body.LongLength > limit);

    public MatchResult IsMatch(string? input) => Result(input is not null && Encoding.UTF8.GetByteCount(input) > limit);

    public AnyOf<string, StringPattern>[] GetPatterns() => [limit.ToString(CultureInfo.InvariantCulture)];

    public string GetCSharpCodeArguments() => limit.ToString(CultureInfo.InvariantCulture);

    private MatchResult Result(bool matched) =>
        MatchResult.From(Name, MatchScores.ToScore(matched != (MatchBehaviour == MatchBehaviour.RejectOnMatch)));
}
