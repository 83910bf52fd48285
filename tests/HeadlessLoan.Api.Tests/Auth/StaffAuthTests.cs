using Dapper;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using HeadlessLoan.Api.Tests.Infrastructure;

namespace HeadlessLoan.Api.Tests.Auth;

public sealed class StaffAuthTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static readonly string[] CollectorRole = ["collector"];

    [Fact]
    public async Task BootstrappedFirstAdminSignsInAndReceivesABearerToken()
    {
        using var client = api.CreateApiClient();

        var response = await client.PostAsJsonAsync("/v1/auth/staff/token", new { username = ApiFactory.AdminUsername, password = ApiFactory.AdminPassword });

        await response.AssertStatusAsync(HttpStatusCode.OK);
        var body = await response.ReadJsonAsync();
        Assert.Equal("Bearer", body.GetProperty("tokenType").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("accessToken").GetString()));
        Assert.True(body.GetProperty("expiresIn").GetInt32() > 0);
        Assert.Equal(["admin"], body.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
    }

    [Fact]
    public async Task MeShowsAStaffCallerWithItsRoles()
    {
        using var client = await api.CreateStaffWithRolesAsync("risk_officer", "loan_officer");

        var me = await (await client.GetAsync("/v1/me")).ReadJsonAsync();

        Assert.Equal("staff", me.GetProperty("kind").GetString());
        Assert.True(Guid.TryParse(me.GetProperty("id").GetString(), out _));
        Assert.Equal(["loan_officer", "risk_officer"], me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task WrongPasswordIsRejectedAsInvalidCredentials()
    {
        using var client = api.CreateApiClient();
        var (username, _) = await CreateStaffAsync();

        var response = await client.PostAsJsonAsync("/v1/auth/staff/token", new { username, password = "not-the-password-123" });

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
    }

    [Fact]
    public async Task UnknownUserIsRejectedLikeAWrongPassword()
    {
        using var client = api.CreateApiClient();

        var response = await client.PostAsJsonAsync("/v1/auth/staff/token", new { username = "nobody-" + Guid.NewGuid().ToString("N")[..6], password = "whatever-password-1" });

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
    }

    [Fact]
    public async Task FiveWrongPasswordsFromOneAddressLockThatAddressOut_WhileTheOwnerElsewhereStillSignsIn()
    {
        using var client = api.CreateApiClient();
        var (username, password) = await CreateStaffAsync();

        for (var i = 1; i <= 5; i++)
        {
            await (await SignInAsync(client, username, "wrong-password-000" + i, Stranger)).AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        }

        var rightWhileLockedOut = await SignInAsync(client, username, password, Stranger);
        await rightWhileLockedOut.AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        Assert.Null(rightWhileLockedOut.Headers.RetryAfter); // a stranger learns nothing, not even that a lock exists

        await (await SignInAsync(client, username, password, Owner)).AssertStatusAsync(HttpStatusCode.OK);

        api.Clock.Advance(TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(1));
        await (await SignInAsync(client, username, password, Stranger)).AssertStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task UnknownWrongLockedOutAndDisabledAnswerAlike_AndTheAuditTrailKeepsTheRealReason()
    {
        using var client = api.CreateApiClient();
        using var admin = await api.CreateAdminClientAsync();
        var (lockedName, lockedPassword) = await CreateStaffAsync();
        for (var i = 0; i < 5; i++)
        {
            await SignInAsync(client, lockedName, "wrong-password-lock" + i, Stranger);
        }

        var (disabledName, disabledPassword) = await CreateStaffAsync();
        var disabledId = await StaffIdAsync(admin, disabledName);
        await (await admin.PostAsync($"/v1/staff/{disabledId}/disable", null)).AssertStatusAsync(HttpStatusCode.OK);
        var (wrongName, _) = await CreateStaffAsync();

        var answers = new[]
        {
            await SignInAsync(client, "nobody-" + Guid.NewGuid().ToString("N")[..8], "whatever-password-1", Stranger),
            await SignInAsync(client, wrongName, "not-the-password-123", Stranger),
            await SignInAsync(client, lockedName, lockedPassword, Stranger),
            await SignInAsync(client, disabledName, disabledPassword, Stranger),
        };

        var shapes = new List<string>();
        foreach (var answer in answers)
        {
            var problem = await answer.AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
            var headers = answer.Headers.Select(h => h.Key).Where(h => h != "traceparent").Order(StringComparer.Ordinal);
            shapes.Add($"{problem.GetProperty("title")}|{problem.GetProperty("status")}|{string.Join(",", headers)}|" +
                string.Join(",", problem.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)));
        }

        Assert.Single(shapes.Distinct());
        await using var db = await api.OpenDatabaseAsync();
        var reasons = (await db.QueryAsync<string>(
            "SELECT JSON_VALUE(after_json, '$.reason') FROM audit_records WHERE action = 'staff.sign_in_refused' AND JSON_VALUE(after_json, '$.source') = @source",
            new { source = Stranger })).ToHashSet();
        Assert.Superset(new HashSet<string> { "unknown_username", "wrong_password", "wrong_password_locked_out", "locked_out", "disabled" }, reasons);
    }

    [Fact]
    public async Task GuessesArrivingTogetherAreNotAllEvaluated_SoARightOneAmongThemGetsNoToken()
    {
        using var client = api.CreateApiClient();
        var (username, password) = await CreateStaffAsync();
        await SignInAsync(client, username, "wrong-password-first", Stranger); // the address's guard row now exists: 4 attempts left

        // The guard row is held, so the guesses pile up at the one UPDATE that decides; the right password comes last.
        await using var db = await api.OpenDatabaseAsync();
        await using var hold = await db.BeginTransactionAsync();
        await db.ExecuteAsync("""
            SELECT g.attempts FROM staff_sign_in_guards g JOIN staff_users u ON u.id = g.staff_id WHERE u.username = @username FOR UPDATE
            """, new { username }, hold);
        var wrong = Enumerable.Range(0, 19).Select(i => SignInAsync(client, username, $"wrong-password-{i:D4}", Stranger)).ToList();
        await WaitForWaitingWritesAsync(19);
        var right = SignInAsync(client, username, password, Stranger);
        await WaitForWaitingWritesAsync(20);
        await hold.RollbackAsync();

        Assert.All(await Task.WhenAll(wrong), a => Assert.Equal(HttpStatusCode.Unauthorized, a.StatusCode));
        // Five attempts per lock window were taken by the first guesses: the twentieth is not evaluated at all.
        await (await right).AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        // The first guess and four of the nineteen were evaluated; the rest were refused unread.
        Assert.Equal(5, await db.ExecuteScalarAsync<int>("""
            SELECT COUNT(*) FROM audit_records WHERE action = 'staff.sign_in_refused' AND entity_id = (SELECT id FROM staff_users WHERE username = @username)
               AND JSON_VALUE(after_json, '$.reason') IN ('wrong_password', 'wrong_password_locked_out')
            """, new { username }));
    }

    private async Task WaitForWaitingWritesAsync(int count)
    {
        await using var watch = await api.OpenDatabaseAsync();
        for (var i = 0; i < 500; i++)
        {
            if (await watch.ExecuteScalarAsync<int>(
                "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND INFO LIKE 'UPDATE staff_sign_in_guards%'") >= count)
            {
                return;
            }

            await Task.Delay(20);
        }

        Assert.Fail($"{count} sign-ins never waited for the guard row.");
    }

    [Fact]
    public async Task NonAdminStaffIsForbiddenFromAdminEndpoints()
    {
        using var riskOfficer = await api.CreateStaffWithRolesAsync("risk_officer");

        await (await riskOfficer.GetAsync("/v1/staff")).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await riskOfficer.GetAsync("/v1/channels")).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await riskOfficer.PostAsJsonAsync("/v1/channels", new { name = "not allowed" })).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await riskOfficer.PostAsJsonAsync("/v1/products", TestHttp.ValidProduct())).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task NoCredentialsGet401Problem()
    {
        using var client = api.CreateApiClient();

        await (await client.GetAsync("/v1/me")).AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        await (await client.GetAsync("/v1/products")).AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task TokenExpiresByTheServiceClock()
    {
        using var client = await api.CreateStaffWithRolesAsync("collector");
        await (await client.GetAsync("/v1/me")).AssertStatusAsync(HttpStatusCode.OK);

        api.Clock.Advance(TimeSpan.FromMinutes(61));

        await (await client.GetAsync("/v1/me")).AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task GarbageBearerTokenGets401Problem()
    {
        using var client = api.CreateApiClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not.a.token");

        await (await client.GetAsync("/v1/me")).AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }

    private const string Stranger = "203.0.113.5";
    private const string Owner = "198.51.100.9";

    private static Task<HttpResponseMessage> SignInAsync(HttpClient client, string username, string password, string from) =>
        client.SendFromAsync(HttpMethod.Post, "/v1/auth/staff/token", from, new { username, password });

    private static async Task<string> StaffIdAsync(HttpClient admin, string username) =>
        (await (await admin.GetAsync("/v1/staff")).ReadJsonAsync()).GetProperty("items").EnumerateArray()
            .Single(s => s.GetProperty("username").GetString() == username).GetProperty("id").GetString()!;

    private async Task<(string Username, string Password)> CreateStaffAsync()
    {
        using var admin = await api.CreateAdminClientAsync();
        var username = "u" + Guid.NewGuid().ToString("N")[..10];
        const string password = "staff-password-0001";
        var created = await admin.PostAsJsonAsync("/v1/staff", new { username, displayName = "Locked " + username, password, roles = CollectorRole });
        await created.AssertStatusAsync(HttpStatusCode.Created);
        return (username, password);
    }
}
