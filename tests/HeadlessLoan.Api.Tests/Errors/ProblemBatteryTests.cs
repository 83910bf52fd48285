using System.Net;
using System.Text;
using HeadlessLoan.Api.Tests.Infrastructure;

namespace HeadlessLoan.Api.Tests.Errors;

/// <summary>
/// Every operation that reads a JSON body answers unreadable input with a 4xx problem (never a 500): malformed
/// JSON, wrong types, unknown enum values, an empty body, the wrong media type and an oversize body.
/// </summary>
[Collection(ProblemBattery.Name)]
public sealed class ProblemBatteryTests(BatteryFactory api)
{
    private const long MaxBodyBytes = 1_048_576;

    /// <summary>Operations whose body is multipart/form-data (document uploads): they have their own, larger limit.</summary>
    private static readonly IReadOnlyList<string> MultipartOperations = ["POST /v1/applications/{applicationId}/documents"];

    /// <summary>
    /// Callbacks from outside parties: their signature over the raw body is checked before the body is read, so any
    /// unsigned body, readable or not, is refused alike (401), and one far over their small limit is too large.
    /// </summary>
    private static readonly IReadOnlyList<string> SignedCallbacks = BatteryBodies.All.Where(b => b.Signed).Select(b => b.Key).ToList();

    private static readonly IReadOnlyList<BatteryBody> ReadBodies = BatteryBodies.All.Where(b => !b.Signed).ToList();

    public static TheoryData<string, string> AllOperations() => MethodsAndPaths(ReadBodies);

    public static TheoryData<string, string> OperationsWithEnums() => MethodsAndPaths(ReadBodies.Where(o => o.UnknownEnum is not null));

    [Fact]
    public async Task TheBatteryCoversEveryContractOperationWithARequestBody()
    {
        var withBody = BatteryOperation.All.Where(o => o.Operation.RequestBody is not null).ToList();
        var json = withBody.Where(o => o.TakesJson).Select(o => o.Key);
        var multipart = withBody.Where(o => o.Operation.RequestBody.Content.ContainsKey("multipart/form-data")).Select(o => o.Key);

        Assert.Equal(json, BatteryBodies.All.Select(o => o.Key).Order(StringComparer.Ordinal));
        Assert.NotEmpty(SignedCallbacks);
        Assert.Equal(multipart, MultipartOperations.Order(StringComparer.Ordinal));
        Assert.Equal(withBody.Count, json.Count() + multipart.Count());
    }

    public static TheoryData<string> MultipartOperationKeys() => [.. MultipartOperations];

    public static TheoryData<string> SignedCallbackKeys() => [.. SignedCallbacks];

    [Theory]
    [MemberData(nameof(SignedCallbackKeys))]
    public async Task AnUnsignedCallbackIsRefusedWhateverItSaysAndAHugeOneIsTooLarge(string operation)
    {
        var op = BatteryOperation.Find(operation);
        foreach (var body in new[] { "", "null", """{"name": "unterminated""", """{"payout_no": 42}""", """{"payout_no": "HL1-1", "state": "SUCCEEDED"}""" })
        {
            using var request = op.Request();
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            await (await api.SendAsync(op, request)).AssertProblemAsync(HttpStatusCode.Unauthorized);
        }

        using var huge = op.Request();
        huge.Content = new StringContent("{\"x\": \"" + new string('a', 64 * 1024) + "\"}", Encoding.UTF8, "application/json");
        await (await api.SendAsync(op, huge)).AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
    }

    [Theory]
    [MemberData(nameof(MultipartOperationKeys))]
    public async Task AMultipartOperationRefusesJsonAndABodyFarOverItsLimit(string operation)
    {
        var op = BatteryOperation.Find(operation);
        using var asJson = op.Request();
        asJson.Content = new StringContent("""{"kind": "id_front"}""", Encoding.UTF8, "application/json");
        var json = await api.SendAsync(op, asJson);
        using var huge = op.Request();
        huge.Content = new MultipartFormDataContent { { new ByteArrayContent(new byte[4 * 1024 * 1024]), "file", "big.png" } };
        var tooLarge = await api.SendAsync(op, huge);

        await json.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
        await tooLarge.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
    }

    [Theory]
    [MemberData(nameof(AllOperations))]
    public async Task MalformedJsonIsABadRequest(string method, string path)
    {
        var response = await SendAsync(method, path, """{"name": "unterminated""", "application/json");

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "malformed_json");
    }

    [Theory]
    [MemberData(nameof(AllOperations))]
    public async Task AValueOfTheWrongTypeIsABadRequest(string method, string path)
    {
        var response = await SendAsync(method, path, BatteryBodies.For($"{method} {path}").WrongType, "application/json");

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "malformed_json");
        Assert.NotEmpty(problem.ErrorFields());
    }

    [Theory]
    [MemberData(nameof(OperationsWithEnums))]
    public async Task AnUnknownEnumValueIsABadRequest(string method, string path)
    {
        var response = await SendAsync(method, path, BatteryBodies.For($"{method} {path}").UnknownEnum!, "application/json");

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "malformed_json");
    }

    [Theory]
    [MemberData(nameof(AllOperations))]
    public async Task AnEmptyBodyIsABadRequest(string method, string path)
    {
        var response = await SendAsync(method, path, "", "application/json");

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "body_required");
    }

    [Theory]
    [MemberData(nameof(AllOperations))]
    public async Task JsonNullIsABadRequest(string method, string path)
    {
        var response = await SendAsync(method, path, "null", "application/json");

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "body_required");
    }

    [Theory]
    [MemberData(nameof(AllOperations))]
    public async Task PlainTextIsAnUnsupportedMediaType(string method, string path)
    {
        var response = await SendAsync(method, path, BatteryBodies.For($"{method} {path}").WrongType, "text/plain");

        await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
    }

    [Theory]
    [MemberData(nameof(AllOperations))]
    public async Task ABodyOverOneMebibyteIsTooLarge(string method, string path)
    {
        var body = "{\"name\": \"" + new string('x', (int)MaxBodyBytes) + "\"}";

        var response = await SendAsync(method, path, body, "application/json");

        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
    }

    [Theory]
    [MemberData(nameof(AllOperations))]
    public async Task ABodyOverOneMebibyteIsTooLargeAlsoWithAnIdempotencyKey(string method, string path)
    {
        var body = "{\"name\": \"" + new string('x', (int)MaxBodyBytes) + "\"}";

        var response = await SendAsync(method, path, body, "application/json", idempotencyKey: Guid.NewGuid().ToString());

        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
    }

    [Fact]
    public async Task AnUnknownRouteIsANotFoundProblem()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/no-such-thing");
        var response = await api.SendAsync(BatteryOperation.Find("GET /v1/products"), request);

        await response.AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task AWrongMethodIsAMethodNotAllowedProblem()
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, "/v1/products");
        var response = await api.SendAsync(BatteryOperation.Find("GET /v1/products"), request);

        await response.AssertProblemAsync(HttpStatusCode.MethodNotAllowed, "method_not_allowed");
    }

    private async Task<HttpResponseMessage> SendAsync(string method, string path, string body, string mediaType, string? idempotencyKey = null)
    {
        var op = BatteryOperation.Find($"{method} {path}");
        using var request = op.Request();
        request.Content = new StringContent(await api.FillAsync(body), Encoding.UTF8, mediaType);
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await api.SendAsync(op, request);
    }

    private static TheoryData<string, string> MethodsAndPaths(IEnumerable<BatteryBody> bodies)
    {
        var data = new TheoryData<string, string>();
        foreach (var body in bodies)
        {
            data.Add(body.Key.Split(' ')[0], body.Key.Split(' ')[1]);
        }

        return data;
    }
}
