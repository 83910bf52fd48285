using System.Net;
using System.Text;
using HeadlessLoan.Api.Platform.Auth;
using HeadlessLoan.Api.Platform.Idempotency;
using HeadlessLoan.Api.Tests.Infrastructure;
using NSwag;

namespace HeadlessLoan.Api.Tests.Errors;

/// <summary>
/// Every contract operation answers odd headers with a problem or a normal answer, never a 500: junk credentials,
/// odd media types and charsets, an Accept the API does not serve, repeated headers, and empty, oversize, control or
/// non-ASCII values in every header parameter the contract declares for it. Requests carry the caller the endpoint
/// admits (unless the case is about credentials) and a valid body, so the header is the only thing wrong.
/// </summary>
[Collection(ProblemBattery.Name)]
public sealed class HeaderBatteryTests(BatteryFactory api)
{
    /// <summary>Values that no header parameter should take down the service with (sent as they are, unvalidated).</summary>
    private static readonly IReadOnlyList<(string Name, string[] Values)> JunkValues =
    [
        ("empty", [""]),
        ("300 characters", [new string('k', 300)]),
        ("10 KB", [new string('k', 10 * 1024)]),
        ("control characters", ["a\u0001b\u007fc\td"]),
        ("non-ASCII", ["キー-ключ-🔑-\u202e"]),
        ("a lone surrogate", ["a\ud800b"]),
        ("two values", ["one", "two"]),
    ];

    private static readonly IReadOnlyList<(string Name, string[] Values)> JunkCredentials =
    [
        ("Authorization: Bearer and nothing", ["Bearer"]),
        ("Authorization: Bearer and a space", ["Bearer "]),
        ("Authorization: a garbage bearer token", ["Bearer garbage"]),
        ("Authorization: three empty JWT parts", ["Bearer .."]),
        ("Authorization: a JWT of garbage parts", ["Bearer a.b.c"]),
        ("Authorization: an unsigned JWT (alg none) claiming to be an admin", ["Bearer " + UnsignedAdminToken()]),
        ("Authorization: a 10 KB token", ["Bearer " + new string('a', 10 * 1024)]),
        ("Authorization: a non-ASCII token", ["Bearer тест🔑"]),
        ("Authorization: a token with control characters", ["Bearer a\u0001b"]),
        ("Authorization: Basic", ["Basic dXNlcjpwYXNz"]),
        ("Authorization: a scheme alone", ["Negotiate"]),
        ("Authorization: two values", ["Bearer a.b.c", "Bearer d.e.f"]),
        ("X-Api-Key: empty", [""]),
        ("X-Api-Key: 10 KB", [new string('k', 10 * 1024)]),
        ("X-Api-Key: non-ASCII", ["ключ-🔑"]),
        ("X-Api-Key: control characters", ["hl_\u0001\u007f"]),
        ("X-Api-Key: two values", ["one", "two"]),
    ];

    private static readonly IReadOnlyList<string> ContentTypes =
    [
        "application/json; charset=latin1",
        "application/json; charset=iso-8859-1",
        "application/json; charset=utf-16",
        "application/json; charset=utf-32",
        "application/json; charset=no-such-charset",
        "application/json; charset=",
        "application/json; charset=\"utf-8\"",
        "application/json; foo=bar",
        "application/json;;;",
        "APPLICATION/JSON",
        "application/merge-patch+json",
        "application/problem+json",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
        "multipart/form-data; boundary=",
        "multipart/form-data; boundary=battery",
        "text/json",
        "garbage",
        "",
    ];

    private static readonly IReadOnlyList<string[]> Accepts =
    [
        ["application/xml"],
        ["text/html"],
        ["application/json;q=0"],
        ["garbage;;q=x"],
        ["application/xml", "text/plain"],
    ];

    public static TheoryData<string> Operations() => BatteryOperation.Keys(_ => true);

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task JunkCredentialsAreAProblem(string operation)
    {
        var op = BatteryOperation.Find(operation);
        var findings = new BatteryFindings();
        var anonymous = await api.CallerAsync(op) == BatteryCaller.Anonymous;

        foreach (var (name, values) in JunkCredentials)
        {
            var header = name.Split(':')[0];
            var response = await CheckAsync(findings, op, name, r => r.Headers.TryAddWithoutValidation(header, values), refused: !anonymous);
            if (response is not null && !anonymous && response.StatusCode is not HttpStatusCode.Unauthorized)
            {
                findings.Add($"{name}: {(int)response.StatusCode}, expected 401");
            }
        }

        findings.AssertNone();
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task JunkInAHeaderTheContractDeclaresIsAProblem(string operation)
    {
        var op = BatteryOperation.Find(operation);
        var findings = new BatteryFindings();

        foreach (var header in op.Parameters(OpenApiParameterKind.Header).Select(p => p.Name))
        {
            foreach (var (name, values) in JunkValues)
            {
                await CheckAsync(findings, op, $"{header}: {name}", r => r.Headers.TryAddWithoutValidation(header, values));
            }
        }

        findings.AssertNone();
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task OddMediaTypesAndAcceptsAreAProblem(string operation)
    {
        var op = BatteryOperation.Find(operation);
        var findings = new BatteryFindings();

        // The media type matters where a body is read; Accept matters wherever an answer is written.
        foreach (var contentType in op.Operation.RequestBody is null ? [] : ContentTypes)
        {
            // Under a key, so the idempotency layer hashes the body as the content type says it is.
            await CheckAsync(findings, op, $"Content-Type: {contentType}", r =>
            {
                Retype(r, contentType);
                r.Headers.Add(IdempotencyMiddleware.HeaderName, Guid.NewGuid().ToString());
            });
        }

        foreach (var accept in Accepts)
        {
            await CheckAsync(findings, op, $"Accept: {string.Join(", ", accept)}", r => r.Headers.TryAddWithoutValidation("Accept", accept));
        }

        if (op.Operation.RequestBody is not null)
        {
            await CheckAsync(findings, op, "Content-Type twice", r => Retype(r, "application/json", "text/plain"));
        }

        findings.AssertNone();
    }

    [Fact]
    public async Task ABodyInUtf16IsReadAsItsCharsetSays()
    {
        var op = BatteryOperation.Find("POST /v1/schedules/quote");
        using var request = op.Request();
        request.Content = new StringContent(await api.FillAsync(BatteryBodies.For(op.Key).Valid), Encoding.Unicode, "application/json");

        var response = await api.SendAsync(op, request);

        await response.AssertStatusAsync(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("application/json; charset=no-such-charset")]
    [InlineData("application/json; charset=")]
    public async Task ABodyInACharsetTheServiceCannotReadIsAnUnsupportedMediaType(string contentType)
    {
        var op = BatteryOperation.Find("POST /v1/schedules/quote");
        var response = await SendAsync(op, r => Retype(r, contentType));

        await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
    }

    [Fact]
    public async Task AQuotedCharsetIsTheCharset()
    {
        var op = BatteryOperation.Find("POST /v1/schedules/quote");
        var response = await SendAsync(op, r => Retype(r, "application/json; charset=\"utf-8\""));

        await response.AssertStatusAsync(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("GET /v1/products/{productId}")]
    [InlineData("POST /v1/products")]
    public async Task AnErrorIsAProblemWhateverAcceptAsksFor(string operation)
    {
        // A 404 from the handler, and a 422 from the validation of an empty product.
        var op = BatteryOperation.Find(operation);
        var response = await SendAsync(op, r =>
        {
            r.Content = op.TakesJson ? new StringContent("{}", Encoding.UTF8, "application/json") : null;
            r.Headers.Add("Accept", "application/xml");
        });

        await response.AssertProblemAsync(op.TakesJson ? HttpStatusCode.UnprocessableEntity : HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AnIdempotencyKeyIsCountedInCharactersAsTheContractCountsIt()
    {
        var op = BatteryOperation.Find("POST /v1/schedules/quote");
        var emoji = string.Concat(Enumerable.Repeat("🔑", IdempotencyMiddleware.MaxKeyLength));

        var atLimit = await SendAsync(op, r => r.Headers.TryAddWithoutValidation(IdempotencyMiddleware.HeaderName, emoji));
        var overLimit = await SendAsync(op, r => r.Headers.TryAddWithoutValidation(IdempotencyMiddleware.HeaderName, emoji + "k"));

        await atLimit.AssertStatusAsync(HttpStatusCode.OK);
        await overLimit.AssertProblemAsync(HttpStatusCode.BadRequest, "idempotency_key_invalid");
    }

    /// <summary>One case: <paramref name="op"/> with its valid body, changed by <paramref name="change"/>, checked by <paramref name="findings"/>.</summary>
    private Task<HttpResponseMessage?> CheckAsync(BatteryFindings findings, BatteryOperation op, string what, Action<HttpRequestMessage> change, bool refused = false) =>
        findings.CheckAsync(what, () => SendAsync(op, change), refused);

    private async Task<HttpResponseMessage> SendAsync(BatteryOperation op, Action<HttpRequestMessage> change)
    {
        using var request = await RequestAsync(op, change);
        return await api.SendAsync(op, request);
    }

    /// <summary>A request for <paramref name="op"/> with its valid body, changed by <paramref name="change"/>.</summary>
    private async Task<HttpRequestMessage> RequestAsync(BatteryOperation op, Action<HttpRequestMessage> change)
    {
        var request = op.Request();
        request.Content = await api.ValidContentAsync(op) ?? new StringContent("{}", Encoding.UTF8, "application/json");
        change(request);
        return request;
    }

    private static void Retype(HttpRequestMessage request, params string[] contentTypes)
    {
        request.Content!.Headers.Remove("Content-Type");
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentTypes);
    }

    /// <summary>A JWT with <c>alg: none</c> and no signature, claiming an admin who exists nowhere.</summary>
    private static string UnsignedAdminToken()
    {
        static string Part(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return Part("""{"alg":"none","typ":"JWT"}""") + "." +
            Part($$"""{"sub":"{{Guid.NewGuid()}}","{{Caller.KindClaim}}":"staff","role":"admin","exp":4102444800}""") + ".";
    }
}
