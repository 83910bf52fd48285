using System.Net;
using System.Net.Http.Json;
using Dapper;
using HeadlessLoan.Api.Tests.Infrastructure;

namespace HeadlessLoan.Api.Tests.Idempotency;

/// <summary>A secret in an answer is shown once: never kept in the answers table, left out of every replay.</summary>
public sealed class SecretAnswersTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_new_api_key_is_not_replayed()
    {
        using var admin = await api.CreateAdminClientAsync();
        var (channelId, _, _) = await admin.CreateChannelWithKeyAsync();

        await AssertShownOnceAsync(admin, $"/v1/channels/{channelId}/api-keys", new { }, HttpStatusCode.Created, "key");
    }

    [Fact]
    public async Task A_staff_token_is_not_replayed()
    {
        using var anonymous = api.CreateApiClient();

        await AssertShownOnceAsync(anonymous, "/v1/auth/staff/token", new { username = ApiFactory.AdminUsername, password = ApiFactory.AdminPassword },
            HttpStatusCode.OK, "accessToken");
    }

    [Fact]
    public async Task A_borrower_token_is_not_replayed()
    {
        using var anonymous = api.CreateApiClient();

        await AssertShownOnceAsync(anonymous, "/v1/auth/wechat/login", new { code = "code_" + Guid.NewGuid().ToString("N") }, HttpStatusCode.OK, "accessToken");
    }

    private async Task AssertShownOnceAsync(HttpClient client, string path, object body, HttpStatusCode status, string secret)
    {
        var key = Guid.NewGuid().ToString();
        var first = await PostAsync(client, path, body, key);
        await first.AssertStatusAsync(status);
        var shown = (await first.ReadJsonAsync()).GetProperty(secret).GetString()!;
        Assert.False(string.IsNullOrEmpty(shown));

        var replay = await PostAsync(client, path, body, key);

        await replay.AssertStatusAsync(status);
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        var replayed = await replay.ReadJsonAsync();
        Assert.False(replayed.TryGetProperty(secret, out _), $"the replay shows {secret}");
        Assert.True(replayed.EnumerateObject().Any(), "the replay still says what was done");
        await using var db = await api.OpenDatabaseAsync();
        var stored = await db.QuerySingleAsync<byte[]>("SELECT response_body FROM idempotency_requests WHERE idem_key = @key", new { key });
        Assert.DoesNotContain(shown, System.Text.Encoding.UTF8.GetString(stored), StringComparison.Ordinal);
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string path, object body, string key) => client.PostWithKeyAsync(path, body, key);
}
