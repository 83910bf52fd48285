using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using HeadlessLoan.Api.Tests.Infrastructure;

namespace HeadlessLoan.Api.Tests.Channels;

public sealed class ChannelTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task AdminCreatesAChannelWithLocationAndTheDefaultRateLimit()
    {
        using var admin = await api.CreateAdminClientAsync();
        var name = "Channel " + Guid.NewGuid().ToString("N")[..8];

        var response = await admin.PostAsJsonAsync("/v1/channels", new { name });

        await response.AssertStatusAsync(HttpStatusCode.Created);
        var body = await response.ReadJsonAsync();
        var id = body.GetProperty("id").GetGuid();
        Assert.Equal($"/v1/channels/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal(name, body.GetProperty("name").GetString());
        Assert.Equal("active", body.GetProperty("status").GetString());
        Assert.Equal(600, body.GetProperty("rateLimitPerMinute").GetInt32());
        var read = await (await admin.GetAsync($"/v1/channels/{id}")).ReadJsonAsync();
        Assert.Equal(name, read.GetProperty("name").GetString());
    }

    [Fact]
    public async Task DuplicateChannelNameIsAConflict()
    {
        using var admin = await api.CreateAdminClientAsync();
        var name = "Dup " + Guid.NewGuid().ToString("N")[..8];
        await (await admin.PostAsJsonAsync("/v1/channels", new { name })).AssertStatusAsync(HttpStatusCode.Created);

        var again = await admin.PostAsJsonAsync("/v1/channels", new { name });

        await again.AssertProblemAsync(HttpStatusCode.Conflict, "channel_name_taken");
    }

    [Fact]
    public async Task IssuedKeyIsShownOnceAndIdentifiesTheChannel()
    {
        using var admin = await api.CreateAdminClientAsync();
        var (channelId, keyId, key) = await admin.CreateChannelWithKeyAsync();

        Assert.Matches("^hlk_[0-9A-Za-z]{40}$", key);
        using var channel = api.CreateChannelClient(key);
        var me = await (await channel.GetAsync("/v1/me")).ReadJsonAsync();
        Assert.Equal("channel", me.GetProperty("kind").GetString());
        Assert.Equal(channelId.ToString(), me.GetProperty("id").GetString());

        var list = await admin.GetAsync($"/v1/channels/{channelId}/api-keys");
        var listText = await list.Content.ReadAsStringAsync();
        Assert.DoesNotContain(key, listText, StringComparison.Ordinal);
        Assert.DoesNotContain(key[8..], listText, StringComparison.Ordinal);
        var listed = Assert.Single((await list.ReadJsonAsync()).GetProperty("items").EnumerateArray());
        Assert.Equal(keyId, listed.GetProperty("id").GetGuid());
        Assert.StartsWith(listed.GetProperty("prefix").GetString()!, key, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheDatabaseHoldsOnlyTheSha256OfTheKey()
    {
        using var admin = await api.CreateAdminClientAsync();
        var (_, keyId, key) = await admin.CreateChannelWithKeyAsync();

        await using var db = await api.OpenDatabaseAsync();
        var row = await db.QuerySingleAsync<(string Prefix, string KeyHash)>(
            "SELECT prefix AS Prefix, key_hash AS KeyHash FROM channel_api_keys WHERE id = @id", new { id = keyId.ToString() });
        var everyColumn = string.Join("|", (await db.QuerySingleAsync("SELECT * FROM channel_api_keys WHERE id = @id", new { id = keyId.ToString() }) as IDictionary<string, object>)!.Values);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))), row.KeyHash);
        Assert.DoesNotContain(key, everyColumn, StringComparison.Ordinal);
        Assert.DoesNotContain(key[row.Prefix.Length..], everyColumn, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RevokedKeyIsRefusedAtOnce()
    {
        using var admin = await api.CreateAdminClientAsync();
        var (channelId, keyId, key) = await admin.CreateChannelWithKeyAsync();
        using var channel = api.CreateChannelClient(key);
        await (await channel.GetAsync("/v1/me")).AssertStatusAsync(HttpStatusCode.OK);

        var revoke = await admin.PostAsync($"/v1/channels/{channelId}/api-keys/{keyId}/revoke", null);

        await revoke.AssertStatusAsync(HttpStatusCode.NoContent);
        await (await channel.GetAsync("/v1/me")).AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        var listed = Assert.Single((await (await admin.GetAsync($"/v1/channels/{channelId}/api-keys")).ReadJsonAsync()).GetProperty("items").EnumerateArray());
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, listed.GetProperty("revokedAt").ValueKind);
    }

    [Theory]
    [InlineData("hlk_short")]
    [InlineData("hlk_!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!")]
    [InlineData("sk_live_0123456789012345678901234567890123456789")]
    [InlineData("hlk_0000000000000000000000000000000000000000")]
    public async Task MalformedOrUnknownKeyIsUnauthorized(string key)
    {
        using var channel = api.CreateChannelClient(key);

        await (await channel.GetAsync("/v1/me")).AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task ChannelKeyCannotCallAdminEndpoints()
    {
        using var admin = await api.CreateAdminClientAsync();
        var (channelId, _, key) = await admin.CreateChannelWithKeyAsync();
        using var channel = api.CreateChannelClient(key);

        await (await channel.GetAsync("/v1/channels")).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await channel.PostAsync($"/v1/channels/{channelId}/api-keys", null)).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await channel.PostAsJsonAsync("/v1/products", TestHttp.ValidProduct())).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await channel.GetAsync("/v1/staff")).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task UnknownChannelIsNotFound()
    {
        using var admin = await api.CreateAdminClientAsync();
        var unknown = Guid.NewGuid();

        await (await admin.GetAsync($"/v1/channels/{unknown}")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await admin.GetAsync($"/v1/channels/{unknown}/api-keys")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await admin.PostAsync($"/v1/channels/{unknown}/api-keys", null)).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await admin.PostAsync($"/v1/channels/{unknown}/api-keys/{Guid.NewGuid()}/revoke", null)).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
    }
}
