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

    private const string FieldName = "img";

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
        foreach (var (headers, content) in MultipartParts(body))
        {
            if (IsImageField(headers) && content.IndexOf(_marker) >= 0)
            {
                return true;
            }
        }

        return false;
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
