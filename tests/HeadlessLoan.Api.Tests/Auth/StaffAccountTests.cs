using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Dapper;
using HeadlessLoan.Api.Tests.Infrastructure;

namespace HeadlessLoan.Api.Tests.Auth;

/// <summary>An account's lifecycle through the API: disable, enable, unlock, reset, a new password; tokens revoked on every request.</summary>
public sealed class StaffAccountTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private const string Password = "staff-password-0001";
    private const string Stranger = "203.0.113.77";
    private static readonly string[] Collector = ["collector"];

    [Fact]
    public async Task DisablingRevokesTheAccountsTokensAtOnce_AndEnablingLetsItSignInAgain()
    {
        using var admin = await api.CreateAdminClientAsync();
        var (id, username) = await CreateStaffAsync(admin);
        using var staff = await api.CreateStaffClientAsync(username, Password);
        await (await staff.GetAsync("/v1/me")).AssertStatusAsync(HttpStatusCode.OK);

        var disabled = await (await admin.PostAsync($"/v1/staff/{id}/disable", null)).ReadJsonAsync();

        Assert.True(disabled.GetProperty("disabled").GetBoolean());
        await (await staff.GetAsync("/v1/me")).AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        await (await SignInAsync(username, Password)).AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");

        var enabled = await (await admin.PostAsync($"/v1/staff/{id}/enable", null)).ReadJsonAsync();
        Assert.False(enabled.GetProperty("disabled").GetBoolean());
        await (await staff.GetAsync("/v1/me")).AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized"); // stays revoked
        await (await SignInAsync(username, Password)).AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal(["staff.disabled", "staff.enabled"], await ActionsAsync(id, "staff.disabled", "staff.enabled"));
    }

    [Fact]
    public async Task TheLastEnabledAdminCannotBeDisabled()
    {
        using var admin = await api.CreateAdminClientAsync();
        var me = await (await admin.GetAsync("/v1/me")).ReadJsonAsync();
        var others = (await (await admin.GetAsync("/v1/staff")).ReadJsonAsync()).GetProperty("items").EnumerateArray()
            .Where(s => s.GetProperty("roles").EnumerateArray().Any(r => r.GetString() == "admin") && !s.GetProperty("disabled").GetBoolean())
            .Select(s => s.GetProperty("id").GetString()).Where(s => s != me.GetProperty("id").GetString()).ToList();
        foreach (var other in others)
        {
            await (await admin.PostAsync($"/v1/staff/{other}/disable", null)).AssertStatusAsync(HttpStatusCode.OK);
        }

        var refused = await admin.PostAsync($"/v1/staff/{me.GetProperty("id").GetString()}/disable", null);

        await refused.AssertProblemAsync(HttpStatusCode.Conflict, "last_admin");
        await (await admin.GetAsync("/v1/me")).AssertStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task AnAdminEndsALockOut()
    {
        using var admin = await api.CreateAdminClientAsync();
        var (id, username) = await CreateStaffAsync(admin);
        for (var i = 0; i < 5; i++)
        {
            await SignInAsync(username, "wrong-password-" + i, Stranger);
        }

        await (await SignInAsync(username, Password, Stranger)).AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        Assert.True((await (await admin.GetAsync($"/v1/staff/{id}")).ReadJsonAsync()).GetProperty("locked").GetBoolean());

        var unlocked = await (await admin.PostAsync($"/v1/staff/{id}/unlock", null)).ReadJsonAsync();

        Assert.False(unlocked.GetProperty("locked").GetBoolean());
        await (await SignInAsync(username, Password, Stranger)).AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal(["staff.unlocked"], await ActionsAsync(id, "staff.unlocked"));
    }

    [Fact]
    public async Task AResetRevokesTokensEndsLockOutsAndTheNewPasswordSignsIn()
    {
        using var admin = await api.CreateAdminClientAsync();
        var (id, username) = await CreateStaffAsync(admin);
        using var staff = await api.CreateStaffClientAsync(username, Password);
        for (var i = 0; i < 5; i++)
        {
            await SignInAsync(username, "wrong-password-" + i, Stranger);
        }

        var reset = await admin.PostAsJsonAsync($"/v1/staff/{id}/password", new { newPassword = "a-brand-new-password-1" });

        await reset.AssertStatusAsync(HttpStatusCode.OK);
        await (await staff.GetAsync("/v1/me")).AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        await (await SignInAsync(username, Password)).AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        await (await SignInAsync(username, "a-brand-new-password-1", Stranger)).AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal(["staff.password_reset"], await ActionsAsync(id, "staff.password_reset"));
    }

    [Fact]
    public async Task MembersOfStaffChangeTheirOwnPassword_AndEveryTokenOfTheAccountIsRevoked()
    {
        using var admin = await api.CreateAdminClientAsync();
        var (id, username) = await CreateStaffAsync(admin);
        using var first = await api.CreateStaffClientAsync(username, Password);
        using var second = await api.CreateStaffClientAsync(username, Password);

        var changed = await first.PostAsJsonAsync("/v1/staff/me/password", new { currentPassword = Password, newPassword = "my-own-new-password-2" });

        await changed.AssertStatusAsync(HttpStatusCode.NoContent);
        await (await first.GetAsync("/v1/me")).AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        await (await second.GetAsync("/v1/me")).AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        await (await SignInAsync(username, Password)).AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        await (await SignInAsync(username, "my-own-new-password-2")).AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal(["staff.password_changed"], await ActionsAsync(id, "staff.password_changed"));
    }

    [Fact]
    public async Task AWrongCurrentPasswordIsRefused_AndGuessingItWithAStolenTokenLocksTheAddressOut()
    {
        using var admin = await api.CreateAdminClientAsync();
        var (_, username) = await CreateStaffAsync(admin);
        using var staff = await api.CreateStaffClientAsync(username, Password);

        for (var i = 0; i < 5; i++)
        {
            var wrong = await staff.PostAsJsonAsync("/v1/staff/me/password", new { currentPassword = "guess-" + i, newPassword = "my-own-new-password-3" });
            Assert.Equal(["currentPassword"], (await wrong.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed")).ErrorFields());
        }

        var locked = await staff.PostAsJsonAsync("/v1/staff/me/password", new { currentPassword = Password, newPassword = "my-own-new-password-3" });
        await locked.AssertProblemAsync((HttpStatusCode)423, "account_locked");
        await (await staff.GetAsync("/v1/me")).AssertStatusAsync(HttpStatusCode.OK); // nothing changed
    }

    [Fact]
    public async Task ANewPasswordIsCheckedLikeAnyPassword()
    {
        using var staff = await api.CreateStaffWithRolesAsync("collector");

        var same = await staff.PostAsJsonAsync("/v1/staff/me/password", new { currentPassword = Password, newPassword = Password });
        var shortOne = await staff.PostAsJsonAsync("/v1/staff/me/password", new { currentPassword = Password, newPassword = "short" });

        Assert.Equal(["newPassword"], (await same.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed")).ErrorFields());
        Assert.Equal(["newPassword"], (await shortOne.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed")).ErrorFields());
    }

    [Fact]
    public async Task OnlyAdminsAdministerAccounts_AndAnUnknownAccountIsNotFound()
    {
        using var admin = await api.CreateAdminClientAsync();
        var (id, _) = await CreateStaffAsync(admin);
        using var riskOfficer = await api.CreateStaffWithRolesAsync("risk_officer");

        foreach (var action in new[] { "disable", "enable", "unlock" })
        {
            await (await riskOfficer.PostAsync($"/v1/staff/{id}/{action}", null)).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
            await (await admin.PostAsync($"/v1/staff/{Guid.NewGuid()}/{action}", null)).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        }

        await (await riskOfficer.PostAsJsonAsync($"/v1/staff/{id}/password", new { newPassword = "taken-over-password-1" }))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await admin.PostAsJsonAsync($"/v1/staff/{Guid.NewGuid()}/password", new { newPassword = "some-new-password-12" }))
            .AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await admin.GetAsync($"/v1/staff/{Guid.NewGuid()}")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    /// <summary>With an Idempotency-Key the change commits with its answer, at the end of the request: the answer must still show it.</summary>
    [Fact]
    public async Task UnderAnIdempotencyKeyEachAnswerShowsTheChangeItAnswers()
    {
        using var admin = await api.CreateAdminClientAsync();
        var (id, _) = await CreateStaffAsync(admin);

        var disabled = await admin.PostWithoutBodyAsync($"/v1/staff/{id}/disable", "disable-" + id);
        var replayed = await admin.PostWithoutBodyAsync($"/v1/staff/{id}/disable", "disable-" + id);
        var enabled = await admin.PostWithoutBodyAsync($"/v1/staff/{id}/enable", "enable-" + id);

        Assert.True((await disabled.ReadJsonAsync()).GetProperty("disabled").GetBoolean());
        Assert.True((await replayed.ReadJsonAsync()).GetProperty("disabled").GetBoolean());
        Assert.False((await enabled.ReadJsonAsync()).GetProperty("disabled").GetBoolean());
    }

    private static async Task<(string Id, string Username)> CreateStaffAsync(HttpClient admin)
    {
        var username = "s" + Guid.NewGuid().ToString("N")[..10];
        var created = await admin.PostAsJsonAsync("/v1/staff", new { username, displayName = "Staff " + username, password = Password, roles = Collector });
        var body = await created.ReadJsonAsync();
        Assert.False(body.GetProperty("disabled").GetBoolean());
        return (body.GetProperty("id").GetString()!, username);
    }

    private Task<HttpResponseMessage> SignInAsync(string username, string password, string? from = null) => from is null
        ? api.CreateApiClient().PostAsJsonAsync("/v1/auth/staff/token", new { username, password })
        : api.CreateApiClient().SendFromAsync(HttpMethod.Post, "/v1/auth/staff/token", from, new { username, password });

    private async Task<List<string>> ActionsAsync(string id, params string[] actions)
    {
        await using var db = await api.OpenDatabaseAsync();
        return (await db.QueryAsync<string>(
            "SELECT action FROM audit_records WHERE entity_type = 'staff' AND entity_id = @id AND action IN @actions ORDER BY seq", new { id, actions })).AsList();
    }
}

/// <summary>The first admin, created from configuration with a published password, changes it through the API.</summary>
public sealed class BootstrapAdminPasswordTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task TheBootstrapAdminChangesTheConfiguredPassword()
    {
        using var admin = await api.CreateAdminClientAsync();

        var changed = await admin.PostAsJsonAsync("/v1/staff/me/password",
            new { currentPassword = ApiFactory.AdminPassword, newPassword = "the-admins-own-password-1" });

        await changed.AssertStatusAsync(HttpStatusCode.NoContent);
        using var anonymous = api.CreateApiClient();
        await (await anonymous.PostAsJsonAsync("/v1/auth/staff/token", new { username = ApiFactory.AdminUsername, password = ApiFactory.AdminPassword }))
            .AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        var token = await (await anonymous.PostAsJsonAsync("/v1/auth/staff/token", new { username = ApiFactory.AdminUsername, password = "the-admins-own-password-1" })).ReadJsonAsync();
        anonymous.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.GetProperty("accessToken").GetString());
        await (await anonymous.GetAsync("/v1/staff")).AssertStatusAsync(HttpStatusCode.OK);
    }
}
