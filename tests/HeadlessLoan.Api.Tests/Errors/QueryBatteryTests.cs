using System.Globalization;
using NJsonSchema;
using NSwag;

namespace HeadlessLoan.Api.Tests.Errors;

/// <summary>
/// Every query parameter of every contract operation (paging cursors and limits, filters, versions) answers a value of
/// the wrong type, out of its range, repeated, oversize or not even UTF-8 with a 4xx problem, never a 500. The cases
/// come from each parameter's schema, so a new parameter is covered as it is described.
/// </summary>
[Collection(ProblemBattery.Name)]
public sealed class QueryBatteryTests(BatteryFactory api)
{
    public static TheoryData<string, string> QueryParameters() => BatteryOperation.ParametersIn(OpenApiParameterKind.Query);

    [Fact]
    public void SomeOperationsHaveQueryParameters() => Assert.True(QueryParameters().Count >= 10);

    [Theory]
    [MemberData(nameof(QueryParameters))]
    public async Task AMalformedQueryValueIsAProblem(string operation, string parameter)
    {
        var op = BatteryOperation.Find(operation);
        var schema = op.Parameters(OpenApiParameterKind.Query).Single(p => p.Name == parameter).ActualSchema;
        var findings = new BatteryFindings();

        foreach (var (name, values, refused) in Cases(schema))
        {
            var query = string.Join("&", values.Select(v => $"{parameter}={v}"));
            await findings.CheckAsync($"?{parameter} {name}", async () =>
            {
                using var request = op.Request(op.PathWith() + "?" + query);
                return await api.SendAsync(op, request);
            }, refused);
        }

        findings.AssertNone();
    }

    /// <summary>Values (percent-encoded as they go on the wire) and whether the service must refuse them.</summary>
    private static IEnumerable<(string Name, string[] Values, bool Refused)> Cases(JsonSchema schema)
    {
        var valid = ValidValues(schema);
        yield return ("repeated", valid, true);
        yield return ("5,000 characters", [new string('9', 5000)], true);
        yield return ("bytes that are not UTF-8", ["%FF%FE"], true);
        yield return ("an invalid escape", ["%ZZ"], true);
        yield return ("an emoji", ["%F0%9F%92%A9"], true);
        yield return ("a right-to-left override", ["%E2%80%AE" + valid[0]], true);
        yield return ("SQL", ["1'%20OR%20'1'%3D'1"], true);
        yield return ("empty", [""], false);
        yield return ("an encoded NUL", ["%00"], schema.Type != JsonObjectType.String || schema.Format is not null || schema.Enumeration.Count > 0);
        switch (schema.Type)
        {
            case JsonObjectType.Integer:
                yield return ("not a number", ["abc"], true);
                yield return ("a fraction", ["1.5"], true);
                yield return ("an exponent", ["1e3"], true);
                yield return ("a fullwidth digit", ["%EF%BC%91"], true);
                yield return ("past int32", ["99999999999"], true);
                yield return ("minus one", ["-1"], schema.Minimum is not null);
                yield return ("zero", ["0"], schema.Minimum > 0);
                if (schema.Maximum is { } max)
                {
                    yield return ("one over its maximum", [(max + 1).ToString(CultureInfo.InvariantCulture)], true);
                }

                break;
            case JsonObjectType.Boolean:
                yield return ("maybe", ["maybe"], true);
                yield return ("one", ["1"], true);
                break;
            case JsonObjectType.String when schema.Enumeration.Count > 0:
                yield return ("an unknown value", ["no_such_value"], true);
                break;
            case JsonObjectType.String when schema.Format == "uuid":
                yield return ("not a uuid", ["not-a-uuid"], true);
                yield return ("a uuid and more", [Guid.NewGuid() + "0"], true);
                yield return ("a uuid in braces", ["%7B" + Guid.NewGuid() + "%7D"], false);
                break;
            case JsonObjectType.String when schema.Format == "date-time":
                yield return ("not a time", ["yesterday"], true);
                yield return ("month 13", ["2026-13-01T00:00:00Z"], true);
                yield return ("an offset of 25 hours", ["2026-03-02T00:00:00%2B25:00"], true);
                yield return ("the year 1", ["0001-01-01T00:00:00Z"], true);
                yield return ("the year 9999", ["9999-12-31T23:59:59Z"], true);
                break;
            case JsonObjectType.String:
                yield return ("a control character", ["a%01b"], true);
                yield return ("one over its maximum length", [new string('a', (schema.MaxLength ?? 1000) + 1)], true);
                // Cursors: base64url of something that is not a position, and a position past any date.
                yield return ("base64url of junk", ["MTIzOnh5eg"], true);
                yield return ("a position past any date", [Convert.ToBase64String("99999999999999999999:00000000000000000000000000000000"u8.ToArray()).TrimEnd('=')], true);
                break;
        }
    }

    /// <summary>Two values of the right type, for the repeated case.</summary>
    private static string[] ValidValues(JsonSchema schema) => schema switch
    {
        { Type: JsonObjectType.Integer } => ["1", "2"],
        { Type: JsonObjectType.Boolean } => ["true", "false"],
        { Enumeration.Count: > 0 } => [schema.Enumeration.First()!.ToString()!, schema.Enumeration.Last()!.ToString()!],
        { Format: "uuid" } => [Guid.NewGuid().ToString(), Guid.NewGuid().ToString()],
        { Format: "date-time" } => ["2026-03-01T00:00:00Z", "2026-03-02T00:00:00Z"],
        _ => ["a", "b"],
    };
}
