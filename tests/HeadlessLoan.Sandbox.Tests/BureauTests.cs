using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace HeadlessLoan.Sandbox.Tests;

/// <summary>POST /bureau/v1/reports, the credit bureau's wire format as documented in docs/sandbox.md.</summary>
public sealed class BureauTests(SandboxFixture sandbox) : IClassFixture<SandboxFixture>
{
    private async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(HttpContent content, string? authorization = "Bearer sandbox_bureau_key", HttpClient? client = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/bureau/v1/reports", UriKind.Relative)) { Content = content };
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var response = await (client ?? sandbox.Client).SendAsync(request);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, document.RootElement.Clone());
    }

    private static JsonContent Request(string idNumber) =>
        JsonContent.Create(new { idNumber, name = "张三", purpose = "loan_application", consentId = "consent-001" });

    private static void AssertReport(JsonElement report, int score, int overdue, int inquiries, bool blacklisted)
    {
        Assert.StartsWith("rpt_sandbox_", report.GetProperty("reportId").GetString(), StringComparison.Ordinal);
        Assert.Equal(score, report.GetProperty("score").GetInt32());
        Assert.InRange(score, 300, 850);
        Assert.Equal(overdue, report.GetProperty("overdueRecords").GetInt32());
        Assert.Equal(inquiries, report.GetProperty("recentInquiries").GetInt32());
        Assert.Equal(blacklisted, report.GetProperty("blacklisted").GetBoolean());
        var generatedAt = report.GetProperty("generatedAt").GetString()!;
        Assert.EndsWith("+08:00", generatedAt, StringComparison.Ordinal);
        var at = DateTimeOffset.ParseExact(generatedAt, "yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
        Assert.InRange(at, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
    }

    [Theory]
    [InlineData("110101199003070011")]
    [InlineData("110101199003070019")]
    [InlineData("11010119900307001X")]
    public async Task Any_other_id_number_gets_score_720_no_overdue_one_inquiry_not_blacklisted(string idNumber)
    {
        var (status, report) = await PostAsync(Request(idNumber));

        Assert.Equal(HttpStatusCode.OK, status);
        AssertReport(report, 720, 0, 1, blacklisted: false);
    }

    [Fact]
    public async Task Each_report_has_its_own_id()
    {
        var (_, first) = await PostAsync(Request("110101199003070011"));
        var (_, second) = await PostAsync(Request("110101199003070011"));

        Assert.NotEqual(first.GetProperty("reportId").GetString(), second.GetProperty("reportId").GetString());
    }

    [Theory]
    [InlineData("110101198810240051", 720, 0, 1, true)]
    [InlineData("110101199206150070", 420, 0, 1, false)]
    [InlineData("110101198707190113", 720, 3, 6, false)]
    public async Task Magic_id_number_gets_its_report(string idNumber, int score, int overdue, int inquiries, bool blacklisted)
    {
        var (status, report) = await PostAsync(Request(idNumber));

        Assert.Equal(HttpStatusCode.OK, status);
        AssertReport(report, score, overdue, inquiries, blacklisted);
    }

    [Fact]
    public async Task Timeout_id_number_is_answered_only_after_15_seconds()
    {
        var clock = Stopwatch.StartNew();

        var (status, report) = await PostAsync(Request("110101199502280099"));

        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(14.5), $"answered after {clock.Elapsed}");
        Assert.Equal(HttpStatusCode.OK, status);
        AssertReport(report, 720, 0, 1, blacklisted: false);
    }

    [Fact]
    public async Task Timeout_id_number_makes_a_client_with_a_short_timeout_give_up()
    {
        using var impatient = new HttpClient { BaseAddress = sandbox.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(2) };

        await Assert.ThrowsAsync<TaskCanceledException>(() => PostAsync(Request("110101199502280099"), client: impatient));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Bearer")]
    [InlineData("Bearer ")]
    [InlineData("Basic dXNlcjpwYXNz")]
    public async Task Missing_or_non_bearer_authorization_gets_401(string? authorization)
    {
        var (status, body) = await PostAsync(Request("110101199003070011"), authorization);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.False(string.IsNullOrEmpty(body.GetProperty("error").GetString()));
    }

    [Fact]
    public async Task Missing_authorization_is_reported_before_a_bad_body()
    {
        var (status, _) = await PostAsync(new StringContent("not json", Encoding.UTF8, "application/json"), authorization: null);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{}")]
    [InlineData("{\"name\":\"张三\",\"purpose\":\"loan_application\",\"consentId\":\"c\"}")]
    [InlineData("{\"idNumber\":\"11010119900307001\",\"name\":\"张三\",\"purpose\":\"loan_application\",\"consentId\":\"c\"}")]
    [InlineData("{\"idNumber\":110101199003070011,\"name\":\"张三\",\"purpose\":\"loan_application\",\"consentId\":\"c\"}")]
    [InlineData("{\"idNumber\":\"110101199003070011\",\"name\":\"\",\"purpose\":\"loan_application\",\"consentId\":\"c\"}")]
    [InlineData("{\"idNumber\":\"110101199003070011\",\"name\":\"张三\",\"consentId\":\"c\"}")]
    [InlineData("{\"idNumber\":\"110101199003070011\",\"name\":\"张三\",\"purpose\":\"loan_application\"}")]
    [InlineData("{\"idNumber\":\"110101198810240051\",\"name\":\"张三\",\"purpose\":\"loan_application\"}")]
    public async Task Invalid_body_gets_400_with_an_error(string body)
    {
        var (status, reply) = await PostAsync(new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("idNumber", reply.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Authorization_scheme_is_case_sensitive_bearer_only()
    {
        // Documented: "Bearer" then one or more spaces then a token.
        var (status, _) = await PostAsync(Request("110101199003070011"), "Bearer   spaced-token");

        Assert.Equal(HttpStatusCode.OK, status);
    }
}
