using System.Net;
using System.Net.Http.Json;
using Dapper;
using HeadlessLoan.Api.Tests.Infrastructure;
using MySqlConnector;

namespace HeadlessLoan.Api.Tests.Faults;

/// <summary>The service with a short command timeout (2 s), well under the server's lock wait timeout (50 s).</summary>
public sealed class ShortCommandTimeoutApiFactory : ApiFactory
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ConnectionStrings:Database"] = new MySqlConnectionStringBuilder(ApplicationConnectionString) { DefaultCommandTimeout = 2 }.ConnectionString,
        ["Pipeline:Enabled"] = "false",
    };
}

/// <summary>A statement that waits for a lock longer than the command timeout is a database that cannot answer now: 503, not 500.</summary>
public sealed class CommandTimeoutTests(ShortCommandTimeoutApiFactory api) : IClassFixture<ShortCommandTimeoutApiFactory>
{
    private static readonly string[] Collector = ["collector"];

    [Fact]
    public async Task A_lock_held_past_the_command_timeout_is_503_with_Retry_After_and_the_same_request_succeeds_once_it_is_free()
    {
        using var admin = await api.CreateAdminClientAsync();
        var username = "u" + Guid.NewGuid().ToString("N")[..10];
        var created = await admin.PostAsJsonAsync("/v1/staff", new { username, displayName = "Locked Out", password = "staff-password-0001", roles = Collector });
        var id = (await created.ReadJsonAsync()).GetProperty("id").GetGuid();
        var path = $"/v1/staff/{id}/disable";

        await using (var holder = await api.OpenDatabaseAsync())
        {
            await using var tx = await holder.BeginTransactionAsync();
            await holder.ExecuteAsync("SELECT id FROM staff_users FOR UPDATE", transaction: tx);

            var waited = await admin.PostWithoutBodyAsync(path, "disable-" + id);

            await waited.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "unavailable");
            Assert.Equal("1", waited.Headers.GetValues("Retry-After").Single());
        }

        var retried = await admin.PostWithoutBodyAsync(path, "disable-" + id);
        await retried.AssertStatusAsync(HttpStatusCode.OK);
        Assert.True((await retried.ReadJsonAsync()).GetProperty("disabled").GetBoolean());
    }
}
