using System.Net;
using System.Text;
using HeadlessLoan.Api.Tests.Infrastructure;
using NSwag;

namespace HeadlessLoan.Api.Tests.Errors;

/// <summary>
/// Every operation that reads a JSON body answers unreadable input with a 4xx problem (never a 500): malformed
/// JSON, wrong types, unknown enum values, an empty body, the wrong media type and an oversize body.
/// </summary>
public sealed class ProblemBatteryTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private const long MaxBodyBytes = 1_048_576;

    /// <summary>One entry per contract operation with a request body: a body with a wrong type, and one with an unknown enum value where the body has an enum.</summary>
    private static readonly IReadOnlyList<BodyOperation> Operations =
    [
        new("POST", "/v1/auth/staff/token", """{"username": 42, "password": "x"}""", null),
        new("POST", "/v1/staff", """{"username": "someone", "displayName": "Some One", "password": "long-enough-password", "roles": "admin"}""", null),
        new("POST", "/v1/staff/me/password", """{"currentPassword": "x", "newPassword": 12345678901234}""", null),
        new("POST", "/v1/staff/{staffId}/password", """{"newPassword": ["long-enough-password"]}""", null),
        new("POST", "/v1/channels", """{"name": "typed", "rateLimitPerMinute": "ten"}""", null),
        new("POST", "/v1/products", ProductWith("\"amountMin\": \"100000\""), ProductWith("\"amountMin\": 100000", methods: "[\"weekly\"]")),
        new("PUT", "/v1/products/{productId}", ProductWith("\"amountMin\": \"100000\""), ProductWith("\"amountMin\": 100000", methods: "[\"weekly\"]")),
        new("POST", "/v1/auth/wechat/login", """{"code": 42}""", null),
        new("POST", "/v1/borrowers/me/phone", """{"code": ["x"]}""", null, AsBorrower: true),
        new("POST", "/v1/applications", ApplicationWith("\"amount\": \"500000\""), ApplicationWith("\"amount\": 500000", method: "weekly"), AsBorrower: true),
        new("POST", "/v1/applications/{applicationId}/consents", """{"purpose": "credit_bureau_query", "textVersion": 1}""",
            """{"purpose": "marketing", "textVersion": "v1"}""", AsBorrower: true),
        new("PUT", "/v1/approval-policy", """{"note": 5, "rules": []}""", null),
        new("POST", "/v1/approval-tasks/{taskId}/decision", """{"decision": "approve", "comment": 5}""", """{"decision": "maybe"}"""),
        new("POST", "/v1/applications/{applicationId}/special-approval", """{"reason": 42}""", null),
        new("PUT", "/v1/applications/{applicationId}/loan-officer", """{"staffId": 42}""", null),
        new("POST", "/v1/staff/{staffId}/relations", """{"kind": "family", "note": 7}""", """{"kind": "cousin", "borrowerId": "00000000-0000-0000-0000-000000000001"}"""),
        new("POST", "/v1/schedules/quote", """{"principal": "100000", "annualRate": 0.05, "termMonths": 12, "method": "equal_installment"}""",
            """{"principal": 100000, "annualRate": 0.05, "termMonths": 12, "method": "weekly"}"""),
    ];

    /// <summary>Operations whose body is multipart/form-data (document uploads): they have their own, larger limit.</summary>
    private static readonly IReadOnlyList<string> MultipartOperations = ["POST /v1/applications/{applicationId}/documents"];

    public static TheoryData<string, string> AllOperations()
    {
        var data = new TheoryData<string, string>();
        foreach (var op in Operations)
        {
            data.Add(op.Method, op.Path);
        }

        return data;
    }

    public static TheoryData<string, string> OperationsWithEnums()
    {
        var data = new TheoryData<string, string>();
        foreach (var op in Operations.Where(o => o.UnknownEnumBody is not null))
        {
            data.Add(op.Method, op.Path);
        }

        return data;
    }

    [Fact]
    public async Task TheBatteryCoversEveryContractOperationWithARequestBody()
    {
        var contract = await OpenApiYamlDocument.FromFileAsync(Path.Combine(AppContext.BaseDirectory, "openapi", "headless-loan.v1.yaml"));
        var withBody = contract.Paths
            .SelectMany(p => p.Value.Where(o => o.Value.RequestBody is not null).Select(o => (Key: $"{o.Key.ToUpperInvariant()} {p.Key}", Body: o.Value.RequestBody)))
            .ToList();
        var json = withBody.Where(o => o.Body.Content.ContainsKey("application/json")).Select(o => o.Key).Order(StringComparer.Ordinal);
        var multipart = withBody.Where(o => o.Body.Content.ContainsKey("multipart/form-data")).Select(o => o.Key).Order(StringComparer.Ordinal);

        Assert.Equal(json, Operations.Select(o => $"{o.Method} {o.Path}").Order(StringComparer.Ordinal));
        Assert.Equal(multipart, MultipartOperations.Order(StringComparer.Ordinal));
        Assert.Equal(withBody.Count, json.Count() + multipart.Count());
    }

    public static TheoryData<string> MultipartOperationKeys() => [.. MultipartOperations];

    [Theory]
    [MemberData(nameof(MultipartOperationKeys))]
    public async Task AMultipartOperationRefusesJsonAndABodyFarOverItsLimit(string operation)
    {
        var (method, path) = (operation.Split(' ')[0], operation.Split(' ')[1]);
        using var borrower = await api.CreateBorrowerClientAsync();

        var json = await borrower.SendAsync(new HttpRequestMessage(new HttpMethod(method), WithIds(path))
        {
            Content = new StringContent("""{"kind": "id_front"}""", Encoding.UTF8, "application/json"),
        });
        using var huge = new MultipartFormDataContent { { new ByteArrayContent(new byte[4 * 1024 * 1024]), "file", "big.png" } };
        var tooLarge = await borrower.SendAsync(new HttpRequestMessage(new HttpMethod(method), WithIds(path)) { Content = huge });

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
        var response = await SendAsync(method, path, Find(method, path).WrongTypeBody, "application/json");

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "malformed_json");
        Assert.NotEmpty(problem.ErrorFields());
    }

    [Theory]
    [MemberData(nameof(OperationsWithEnums))]
    public async Task AnUnknownEnumValueIsABadRequest(string method, string path)
    {
        var response = await SendAsync(method, path, Find(method, path).UnknownEnumBody!, "application/json");

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
        var response = await SendAsync(method, path, Find(method, path).WrongTypeBody, "text/plain");

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
        using var admin = await api.CreateAdminClientAsync();

        var response = await admin.GetAsync("/v1/no-such-thing");

        await response.AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task AWrongMethodIsAMethodNotAllowedProblem()
    {
        using var admin = await api.CreateAdminClientAsync();

        var response = await admin.DeleteAsync("/v1/products");

        await response.AssertProblemAsync(HttpStatusCode.MethodNotAllowed, "method_not_allowed");
    }

    private static BodyOperation Find(string method, string path) => Operations.Single(o => o.Method == method && o.Path == path);

    private async Task<HttpResponseMessage> SendAsync(string method, string path, string body, string mediaType, string? idempotencyKey = null)
    {
        // Borrower endpoints refuse staff before reading the body, so they are called as a borrower.
        using var admin = Find(method, path).AsBorrower ? await api.CreateBorrowerClientAsync() : await api.CreateAdminClientAsync();
        using var request = new HttpRequestMessage(new HttpMethod(method), WithIds(path))
        {
            Content = new StringContent(body, Encoding.UTF8, mediaType),
        };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await admin.SendAsync(request);
    }

    /// <summary>Path parameters filled with ids that exist nowhere: the body is judged before the resource is looked up.</summary>
    private static string WithIds(string path) => System.Text.RegularExpressions.Regex.Replace(path, "\\{[A-Za-z]+\\}", _ => Guid.NewGuid().ToString());

    private static string ApplicationWith(string amount, string method = "equal_installment") => $$"""
        {"productId": "{{Guid.NewGuid()}}", {{amount}}, "termMonths": 12, "method": "{{method}}", "purpose": "Battery",
         "declaredName": "张三", "declaredRegionCode": "110101", "declaredAddress": "北京市东城区"}
        """;

    private static string ProductWith(string amountMin, string methods = "[\"equal_installment\"]") => $$"""
        {"name": "Battery", "repaymentMethods": {{methods}}, "annualRateMin": 0.05, "annualRateMax": 0.1, {{amountMin}},
         "amountMax": 5000000, "termMinMonths": 3, "termMaxMonths": 36, "penaltyDailyRate": 0.0003, "ageMin": 22, "ageMax": 55,
         "autoApprovalLimit": 100000}
        """;

    private sealed record BodyOperation(string Method, string Path, string WrongTypeBody, string? UnknownEnumBody, bool AsBorrower = false);
}
