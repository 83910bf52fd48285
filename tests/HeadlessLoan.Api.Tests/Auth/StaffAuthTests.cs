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
    public async Task FiveWrongPasswordsLockTheAccountUntilTheLockoutHasPassed()
    {
        using var client = api.CreateApiClient();
        var (username, password) = await CreateStaffAsync();

        for (var i = 1; i <= 4; i++)
        {
            var wrong = await client.PostAsJsonAsync("/v1/auth/staff/token", new { username, password = "wrong-password-000" + i });
            await wrong.AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        }

        var fifth = await client.PostAsJsonAsync("/v1/auth/staff/token", new { username, password = "wrong-password-0005" });
        await fifth.AssertProblemAsync((HttpStatusCode)423, "account_locked");
        Assert.True(fifth.Headers.RetryAfter?.Delta is { } wait && wait > TimeSpan.Zero && wait <= TimeSpan.FromMinutes(15), $"Retry-After: {fifth.Headers.RetryAfter}");

        var rightWhileLocked = await client.PostAsJsonAsync("/v1/auth/staff/token", new { username, password });
        await rightWhileLocked.AssertProblemAsync((HttpStatusCode)423, "account_locked");
        Assert.NotNull(rightWhileLocked.Headers.RetryAfter);

        api.Clock.Advance(TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(1));

        var afterLockout = await client.PostAsJsonAsync("/v1/auth/staff/token", new { username, password });
        await afterLockout.AssertStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task GuessesArrivingTogetherAreNotAllEvaluated_SoARightOneAmongThemGetsNoToken()
    {
        using var client = api.CreateApiClient();
        var (username, password) = await CreateStaffAsync();

        // The account row is held, so the guesses pile up at their first write; the right password comes last.
        await using var db = await api.OpenDatabaseAsync();
        await using var hold = await db.BeginTransactionAsync();
        await db.ExecuteAsync("SELECT id FROM staff_users WHERE username = @username FOR UPDATE", new { username }, hold);
        var wrong = Enumerable.Range(0, 19).Select(i =>
            client.PostAsJsonAsync("/v1/auth/staff/token", new { username, password = $"wrong-password-{i:D4}" })).ToList();
        await WaitForWaitingWritesAsync(19);
        var right = client.PostAsJsonAsync("/v1/auth/staff/token", new { username, password });
        await WaitForWaitingWritesAsync(20);
        await hold.RollbackAsync();

        var statuses = (await Task.WhenAll(wrong)).Select(a => (int)a.StatusCode).ToList();
        Assert.All(statuses, s => Assert.True(s is 401 or 423, $"unexpected {s}"));
        Assert.True(statuses.Count(s => s == 401) <= 4, string.Join(",", statuses));
        // Five attempts per lock window were taken by the first guesses: the twentieth is not evaluated at all.
        await (await right).AssertProblemAsync((HttpStatusCode)423, "account_locked");
    }

    private async Task WaitForWaitingWritesAsync(int count)
    {
        await using var watch = await api.OpenDatabaseAsync();
        for (var i = 0; i < 500; i++)
        {
            if (await watch.ExecuteScalarAsync<int>(
                "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND INFO LIKE 'UPDATE staff_users%'") >= count)
            {
                return;
            }

            await Task.Delay(20);
        }

        Assert.Fail($"{count} sign-ins never waited for the account row.");
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
