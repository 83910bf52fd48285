using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using HeadlessLoan.Api.Tests.Infrastructure;
using NJsonSchema;

namespace HeadlessLoan.Api.Tests.Errors;

/// <summary>
/// Unicode at the edges, in every string field of every JSON body in the contract, never answers a 500: lone
/// surrogates written as JSON escapes, NUL, non-characters, a BOM, bytes that are not UTF-8 (overlong forms, encoded
/// surrogates). Lengths are counted as the contract's maxLength counts them, in characters (code points), not UTF-16
/// units: a field of 4-byte characters exactly at its maxLength is not refused for its length (and fits its column),
/// one character more is refused.
/// </summary>
[Collection(ProblemBattery.Name)]
public sealed class UnicodeBodyBatteryTests(BatteryFactory api)
{
    /// <summary>Stands for the field's value in the serialised body, to be replaced by raw JSON or raw bytes.</summary>
    private const string Marker = "\"@@battery@@\"";

    /// <summary>U+20000, a CJK ideograph outside the BMP: 4 bytes in UTF-8, a surrogate pair in .NET.</summary>
    private const string FourByte = "\U00020000";

    /// <summary>String values as JSON literals; what the service does with them is its own affair, short of a 500.</summary>
    private static readonly IReadOnlyList<(string Name, string Json)> Escapes =
    [
        ("a lone high surrogate", "\"\\ud800\""),
        ("a lone low surrogate", "\"a\\udc00b\""),
        ("a surrogate pair reversed", "\"\\udc00\\ud800\""),
        ("NUL", "\"a\\u0000b\""),
        ("the non-character U+FFFF", "\"\\uffff\""),
        ("the non-character U+FDD0", "\"\\ufdd0\""),
        ("the last code point", "\"\\udbff\\udfff\""),
        ("right-to-left override, zero-width space, emoji, combining accent", "\"\u202e\u200b👍e\u0301\""),
    ];

    /// <summary>Bytes that are not UTF-8, put inside a string value of the raw body.</summary>
    private static readonly IReadOnlyList<(string Name, byte[] Bytes)> InvalidUtf8 =
    [
        ("an overlong slash", [0xC0, 0xAF]),
        ("an overlong NUL", [0xC0, 0x80]),
        ("a surrogate encoded in UTF-8", [0xED, 0xA0, 0x80]),
        ("a byte that is never UTF-8", [0xFF]),
        ("a sequence cut short", [0xE4, 0xB8]),
    ];

    public static TheoryData<string> Operations() => [.. BatteryBodies.All.Where(b => !b.Signed).Select(b => b.Key)];

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task TheValidBodyIsNotRefusedForItsShape(string operation)
    {
        var body = BatteryBodies.For(operation);
        var response = await SendAsync(BatteryOperation.Find(operation), Encoding.UTF8.GetBytes(await api.FillAsync(body.Valid)));

        // Its ids may name nothing (404) or the state may not allow it (409), but the body itself is well formed.
        var text = await response.Content.ReadAsStringAsync();
        var judged = response.StatusCode == HttpStatusCode.UnprocessableEntity && body.JudgedField is { } field
            && System.Text.Json.JsonDocument.Parse(text).RootElement.TryGetProperty("errors", out var errors)
            && errors.EnumerateObject().Select(e => e.Name).SequenceEqual([field]);
        Assert.True(judged || response.StatusCode is not (HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity or HttpStatusCode.UnsupportedMediaType),
            $"{operation}: {(int)response.StatusCode} {text}");
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task UnicodeAtTheEdgesInEveryStringFieldIsNeverA500(string operation)
    {
        var op = BatteryOperation.Find(operation);
        var findings = new BatteryFindings();

        foreach (var (field, schema) in StringFields(op))
        {
            foreach (var (name, json) in Escapes)
            {
                await findings.CheckAsync($"{field} = {name}", async () => await SendAsync(op, await WithAsync(op, field, Encoding.UTF8.GetBytes(json))));
            }

            foreach (var (name, bytes) in InvalidUtf8)
            {
                await findings.CheckAsync($"{field} = {name}", async () => await SendAsync(op, await WithAsync(op, field, [(byte)'"', .. bytes, (byte)'"'])), refused: true);
            }

            if (schema.MaxLength is { } max)
            {
                await CheckLengthAsync(findings, op, field, $"{max} 4-byte characters (its maxLength)", string.Concat(Enumerable.Repeat(FourByte, max)), tooLong: false);
                await CheckLengthAsync(findings, op, field, $"{max} characters decomposed (NFD)", string.Concat(Enumerable.Repeat("e\u0301", max / 2)), tooLong: false);
                await CheckLengthAsync(findings, op, field, $"{max + 1} 4-byte characters", string.Concat(Enumerable.Repeat(FourByte, max + 1)), tooLong: true);
            }
        }

        await findings.CheckAsync("a byte order mark before the body", async () =>
            await SendAsync(op, [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(await api.FillAsync(BatteryBodies.For(op.Key).Valid))]));
        findings.AssertNone();
    }

    /// <summary>
    /// At its maxLength a value is not refused for its length (whatever else is wrong with it); over it, the answer is a
    /// refusal, and where it is a 422 it names the field.
    /// </summary>
    private async Task CheckLengthAsync(BatteryFindings findings, BatteryOperation op, string field, string name, string value, bool tooLong)
    {
        var response = await findings.CheckAsync($"{field} = {name}",
            async () => await SendAsync(op, await WithAsync(op, field, Encoding.UTF8.GetBytes(JsonSerializer.Serialize(value)))), refused: tooLong);
        if (response?.StatusCode is not HttpStatusCode.UnprocessableEntity)
        {
            return;
        }

        var errors = (await response.ReadJsonAsync()).TryGetProperty("errors", out var e) && e.TryGetProperty(field, out var messages)
            ? messages.EnumerateArray().Select(m => m.GetString()!).ToList()
            : [];
        // "… characters long" is how RequestValidator.Length, the one length rule of the service, words its refusal.
        if (tooLong ? errors.Count == 0 : errors.Any(m => m.Contains("characters long", StringComparison.Ordinal)))
        {
            findings.Add($"{field} = {name}: 422 {(tooLong ? "does not name the field" : "refuses its length")}: {string.Join("; ", errors)}");
        }
    }

    /// <summary>The top-level string properties of the operation's JSON body that are free text (no format, no enum).</summary>
    private static IEnumerable<(string Field, JsonSchema Schema)> StringFields(BatteryOperation op) =>
        op.Operation.RequestBody.Content["application/json"].Schema.ActualSchema.ActualProperties
            .Select(p => (Field: p.Key, Schema: p.Value.ActualSchema))
            .Where(p => p.Schema.Type.HasFlag(JsonObjectType.String) && p.Schema.Format is null && p.Schema.Enumeration.Count == 0);

    /// <summary>The operation's valid body with <paramref name="field"/> set to <paramref name="value"/> (raw JSON bytes).</summary>
    private async Task<byte[]> WithAsync(BatteryOperation op, string field, byte[] value)
    {
        var body = JsonNode.Parse(await api.FillAsync(BatteryBodies.For(op.Key).Valid))!.AsObject();
        body[field] = JsonValue.Create(Marker.Trim('"'));
        var parts = body.ToJsonString().Split(Marker);
        return [.. Encoding.UTF8.GetBytes(parts[0]), .. value, .. Encoding.UTF8.GetBytes(parts[1])];
    }

    private async Task<HttpResponseMessage> SendAsync(BatteryOperation op, byte[] body)
    {
        using var request = op.Request();
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        return await api.SendAsync(op, request);
    }
}
