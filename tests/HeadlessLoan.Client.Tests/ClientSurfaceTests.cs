using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace HeadlessLoan.Client.Tests;

/// <summary>The SDK reads like a hand-written .NET library, whatever the contract's wire names.</summary>
public sealed partial class ClientSurfaceTests
{
    /// <summary>Names that popular libraries or users' own code already use (Refit, IdentityModel, other NSwag clients, UI frameworks).</summary>
    private static readonly string[] TakenNames =
    [
        "ApiException", "ApiResponse", "ApiProblem", "Problem", "TokenResponse", "FileParameter", "FileResponse",
        "SwaggerException", "SwaggerResponse", "HealthResponse", "MeResponse", "View", "Role", "Status", "Kind",
    ];

    private static IEnumerable<MethodInfo> Operations => typeof(IHeadlessLoanClient).GetMethods();

    [Fact]
    public void No_public_type_has_a_generic_name()
    {
        var names = typeof(HeadlessLoanClient).Assembly.GetExportedTypes().Select(type => type.Name.Split('`')[0]).ToList();

        Assert.Empty(names.Intersect(TakenNames, StringComparer.Ordinal));
        Assert.DoesNotContain(names, name => SingleWord().IsMatch(name));
    }

    [Fact]
    public void Parameters_have_dotnet_names()
    {
        Assert.DoesNotContain(
            Operations.SelectMany(method => method.GetParameters(), (method, parameter) => $"{method.Name}({parameter.Name})"),
            name => name.Contains('_', StringComparison.Ordinal));
        Assert.Contains(typeof(IHeadlessLoanClient).GetMethod(nameof(IHeadlessLoanClient.CreateApplicationAsync))!.GetParameters(),
            parameter => parameter is { Name: "deviceFingerprint", IsOptional: true });
    }

    [Fact]
    public void Path_ids_come_before_the_body()
    {
        foreach (var method in Operations)
        {
            var parameters = method.GetParameters();
            var lastId = Array.FindLastIndex(parameters, parameter => parameter.ParameterType == typeof(Guid));
            var body = Array.FindIndex(parameters, parameter => parameter.Name is "request" or "definition");
            Assert.True(body < 0 || lastId < body, $"{method.Name}: the body comes before a path id");
        }

        Assert.Equal(["productId", "definition", "idempotencyKey", "cancellationToken"],
            typeof(IHeadlessLoanClient).GetMethod(nameof(IHeadlessLoanClient.UpdateProductAsync))!.GetParameters().Select(parameter => parameter.Name));
    }

    [Fact]
    public void State_changing_methods_take_an_idempotency_key_and_answer_with_the_success_headers()
    {
        foreach (var method in Operations)
        {
            var changesState = method.GetParameters().Any(parameter => parameter is { Name: "idempotencyKey", IsOptional: true });
            var answer = method.ReturnType.GetGenericArguments().Single();
            var wrapped = answer == typeof(HeadlessLoanResponse) || (answer.IsGenericType && answer.GetGenericTypeDefinition() == typeof(HeadlessLoanResponse<>));
            Assert.True(changesState == wrapped, $"{method.Name}: an idempotencyKey parameter and a HeadlessLoanResponse answer go together (wrapResponseMethods in headless-loan.nswag)");
        }
    }

    [Fact]
    public void Document_upload_requires_its_kind_and_file()
    {
        var upload = typeof(IHeadlessLoanClient).GetMethod(nameof(IHeadlessLoanClient.UploadApplicationDocumentAsync))!;

        Assert.Equal(
            ["applicationId:Guid:required", "kind:DocumentKind:required", "file:DocumentImage:required", "idempotencyKey:String:optional", "cancellationToken:CancellationToken:optional"],
            upload.GetParameters().Select(parameter => $"{parameter.Name}:{parameter.ParameterType.Name}:{(parameter.IsOptional ? "optional" : "required")}"));
        Assert.DoesNotContain(typeof(HeadlessLoanClient).GetMethods(), method => method.IsPublic && method.Name.EndsWith("CoreAsync", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(RepaymentMethod.EqualInstallment, "equal_installment")]
    [InlineData(DocumentKind.IdFront, "id_front")]
    [InlineData(ApplicationStatus.PendingApproval, "pending_approval")]
    [InlineData(DocumentContentType.ImageJpeg, "image/jpeg")]
    [InlineData(ApprovalRole.DeptHead, "dept_head")]
    public void Enum_members_travel_as_their_wire_names(object member, string wireName)
    {
        Assert.Equal($"\"{wireName}\"", JsonSerializer.Serialize(member, member.GetType(), HeadlessLoanJson.Options));
        Assert.Equal(member, JsonSerializer.Deserialize($"\"{wireName}\"", member.GetType(), HeadlessLoanJson.Options));
    }

    /// <summary>A nullable enum property (a reviewer's reason code) travels as its wire name, and as null when absent.</summary>
    [Fact]
    public void Nullable_enum_properties_travel_as_their_wire_names()
    {
        var request = new DecideTaskRequest { Decision = ApprovalDecision.Reject, ReasonCode = ApprovalReasonCode.InsufficientIncome, Comment = "x" };

        var json = JsonSerializer.Serialize(request, HeadlessLoanJson.Options);
        var back = JsonSerializer.Deserialize<DecideTaskRequest>("{\"decision\":\"approve\",\"reasonCode\":null}", HeadlessLoanJson.Options)!;

        Assert.Contains("\"reasonCode\":\"insufficient_income\"", json, StringComparison.Ordinal);
        Assert.Equal(ApprovalReasonCode.InsufficientIncome, JsonSerializer.Deserialize<DecideTaskRequest>(json, HeadlessLoanJson.Options)!.ReasonCode);
        Assert.Null(back.ReasonCode);
    }

    [Fact]
    public void Every_enum_member_is_pascal_case()
    {
        var members = typeof(HeadlessLoanClient).Assembly.GetExportedTypes().Where(type => type.IsEnum)
            .SelectMany(type => Enum.GetNames(type), (type, name) => $"{type.Name}.{name}").ToList();

        Assert.NotEmpty(members);
        Assert.DoesNotContain(members, member => !PascalCaseMember().IsMatch(member));
    }

    [Fact]
    public void Success_headers_are_read_from_the_answer()
    {
        var headers = new Dictionary<string, IEnumerable<string>>
        {
            ["idempotent-replayed"] = ["true"],
            ["Location"] = ["/v1/products/0196a3c1-0000-7000-8000-000000000001"],
            ["Retry-After"] = ["5"],
        };

        var response = new HeadlessLoanResponse<int>(201, headers, 7);
        int result = response;

        Assert.True(response.IdempotentReplayed);
        Assert.Equal(new Uri("/v1/products/0196a3c1-0000-7000-8000-000000000001", UriKind.Relative), response.Location);
        Assert.Equal(TimeSpan.FromSeconds(5), response.RetryAfter);
        Assert.Equal(7, result);

        var plain = new HeadlessLoanResponse(204, new Dictionary<string, IEnumerable<string>>());
        Assert.False(plain.IdempotentReplayed);
        Assert.Null(plain.Location);
        Assert.Null(plain.RetryAfter);
    }

    [Fact]
    public void A_refusal_tells_how_long_to_wait()
    {
        var inSeconds = new HeadlessLoanException("busy", 503, null, new Dictionary<string, IEnumerable<string>> { ["Retry-After"] = ["3"] }, null);
        var atPastDate = new HeadlessLoanException("busy", 429, null, new Dictionary<string, IEnumerable<string>> { ["Retry-After"] = ["Wed, 21 Oct 2015 07:28:00 GMT"] }, null);

        Assert.Equal(TimeSpan.FromSeconds(3), inSeconds.RetryAfter);
        Assert.Equal(TimeSpan.Zero, atPastDate.RetryAfter);
        Assert.Null(new HeadlessLoanException("bad", 400, null, new Dictionary<string, IEnumerable<string>>(), null).RetryAfter);
    }

    [GeneratedRegex("^[A-Z][a-z0-9]+$")]
    private static partial Regex SingleWord();

    [GeneratedRegex(@"^\w+\.[A-Z][A-Za-z0-9]*$")]
    private static partial Regex PascalCaseMember();
}
