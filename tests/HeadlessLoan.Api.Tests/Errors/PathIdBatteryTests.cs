using NSwag;

namespace HeadlessLoan.Api.Tests.Errors;

/// <summary>
/// Every path parameter of every contract operation (uuids, and the dates of the close of business) answers a malformed or unknown id with a problem,
/// never a 500: the route's uuid constraint refuses what is not a uuid (404, the resource cannot exist), and an id of
/// the right shape that exists nowhere is the handler's 404. Each request is sent as a caller the endpoint admits,
/// with a valid body, so that nothing but the id is wrong.
/// </summary>
[Collection(ProblemBattery.Name)]
public sealed class PathIdBatteryTests(BatteryFactory api)
{
    private static readonly string Id = Guid.NewGuid().ToString();

    /// <summary>
    /// Segments as they go on the wire (percent-encoded where they are encoded). An encoded NUL is not here: the host
    /// refuses it before the service sees the request (<c>KestrelBatteryTests</c>). Nor are bare dot segments: a
    /// client removes them, and what is left names another resource (the list).
    /// </summary>
    private static readonly IReadOnlyList<(string Name, string Segment)> Cases =
    [
        ("not a uuid", "not-a-uuid"),
        ("5,000 characters", new string('a', 5000)),
        ("5,000 hex digits", new string('f', 5000)),
        ("a uuid in encoded braces", "%7B" + Id + "%7D"),
        ("a uuid in braces", "{" + Id + "}"),
        ("a uuid in parentheses", "(" + Id + ")"),
        ("a uuid in upper case", Id.ToUpperInvariant()),
        ("a uuid without hyphens", Id.Replace("-", "", StringComparison.Ordinal)),
        ("a uuid and one more digit", Id + "0"),
        ("a uuid cut short", Id[..^1]),
        ("the empty uuid", Guid.Empty.ToString()),
        ("a uuid that exists nowhere", Guid.NewGuid().ToString()),
        ("spaces around a uuid", "%20" + Id + "%20"),
        ("one space", "%20"),
        ("encoded dots", "%2E%2E"),
        ("me", "me"),
        ("minus one", "-1"),
        ("a number past long", "99999999999999999999999"),
        ("null", "null"),
        ("an invalid escape", "%ZZ"),
        ("a lone percent sign", "%"),
        ("overlong UTF-8 for a slash", "%C0%AF"),
        ("the non-character U+FFFF", "%EF%BF%BF"),
        ("a surrogate in UTF-8", "%ED%A0%80"),
        ("bytes that are not UTF-8", "%FF%FE"),
        ("an encoded slash", "a%2Fb"),
        ("two uuids around an encoded slash", Id + "%2F" + Id),
        ("SQL", "1'%20OR%20'1'%3D'1"),
        ("SQL that drops a table", "%27%3B%20DROP%20TABLE%20staff%3B--"),
        ("an emoji", "%F0%9F%92%A9"),
        ("a right-to-left override before a uuid", "%E2%80%AE" + Id),
        ("a zero-width space inside a uuid", Id[..8] + "%E2%80%8B" + Id[8..]),
        ("a uuid with a combining accent", Id + "%CC%81"),
        ("é composed (NFC)", "%C3%A9"),
        ("é decomposed (NFD)", "e%CC%81"),
        ("a fullwidth digit", "%EF%BC%91"),
        ("a day that does not exist", "2026-02-30"),
        ("a date in another order", "02-12-2026"),
        ("a date and a time", "2026-12-02T00%3A00%3A00"),
        ("a date far in the future", "9999-12-31"),
    ];

    public static TheoryData<string, string> PathParameters() => BatteryOperation.ParametersIn(OpenApiParameterKind.Path);

    [Fact]
    public void EveryPathParameterIsAUuidADateOrANameOfABoundedSet()
    {
        var parameters = BatteryOperation.All.SelectMany(o => o.Parameters(OpenApiParameterKind.Path).Select(p => (o.Key, p))).ToList();

        Assert.NotEmpty(parameters);
        // The cases above are chosen for uuids and dates, and hold for names the contract bounds by an enum or a pattern
        // (a reminder template's key and channel, a policy's scope: none of the cases is a name that exists); another
        // kind of path parameter needs cases of its own.
        Assert.All(parameters, p => Assert.True(p.p.ActualSchema.Format is "uuid" or "date" || p.p.ActualSchema.Enumeration.Count > 0 || p.p.ActualSchema.Pattern is not null,
            $"{p.Key}: {{{p.p.Name}}} is neither a uuid, a date, an enum nor a pattern"));
    }

    [Theory]
    [MemberData(nameof(PathParameters))]
    public async Task AMalformedOrUnknownIdIsAProblem(string operation, string parameter)
    {
        var op = BatteryOperation.Find(operation);
        var findings = new BatteryFindings();

        foreach (var (name, segment) in Cases)
        {
            await findings.CheckAsync($"{{{parameter}}} = {name}", async () =>
            {
                using var request = op.Request(op.PathWith(p => p == parameter ? segment : null));
                request.Content = await api.ValidContentAsync(op);
                return await api.SendAsync(op, request);
            }, refused: true);
        }

        findings.AssertNone();
    }
}
