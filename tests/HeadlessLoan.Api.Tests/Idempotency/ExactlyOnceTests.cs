using System.Net;
using System.Net.Http.Json;
using Dapper;
using HeadlessLoan.Api.Platform.Idempotency;
using HeadlessLoan.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace HeadlessLoan.Api.Tests.Idempotency;

/// <summary>The service with claims that run out quickly unless their request extends them.</summary>
public sealed class ShortClaimsApiFactory : ApiFactory
{
    public const int ClaimMilliseconds = 600;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Idempotency:ClaimMilliseconds"] = ClaimMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Auth:MaxFailedLogins"] = "2",
    };
}

public sealed class ExactlyOnceTests(ShortClaimsApiFactory api) : IClassFixture<ShortClaimsApiFactory>
{
    private const string ReplayedHeader = "Idempotent-Replayed";
    private static readonly string[] RiskOfficer = ["risk_officer"];

    [Fact]
    public async Task A_request_held_past_its_claims_lifetime_keeps_the_claim_and_a_retry_beside_it_changes_nothing()
    {
        using var admin = await api.CreateAdminClientAsync();
        var body = TestHttp.ValidProduct();
        var key = Guid.NewGuid().ToString();
        await using var locker = await api.OpenDatabaseAsync();
        await locker.ExecuteAsync("LOCK TABLES products READ");

        var first = PostAsync(admin, "/v1/products", body, key);
        await Task.Delay(ShortClaimsApiFactory.ClaimMilliseconds * 4);
        var beside = await PostAsync(admin, "/v1/products", body, key);
        await locker.ExecuteAsync("UNLOCK TABLES");

        await beside.AssertProblemAsync(HttpStatusCode.Conflict, "idempotency_in_progress");
        var created = await first;
        await created.AssertStatusAsync(HttpStatusCode.Created);
        var again = await PostAsync(admin, "/v1/products", body, key);
        await again.AssertStatusAsync(HttpStatusCode.Created);
        Assert.Equal("true", again.Headers.GetValues(ReplayedHeader).Single());
        Assert.Equal((await created.ReadJsonAsync()).GetProperty("id").GetGuid(), (await again.ReadJsonAsync()).GetProperty("id").GetGuid());
        await using var db = await api.OpenDatabaseAsync();
        Assert.Equal(1, await db.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM product_versions WHERE name = @name", new { name = body["name"] }));
    }

    [Fact]
    public async Task Only_the_holder_of_a_claim_releases_it()
    {
        var store = api.Services.GetRequiredService<IdempotencyStore>();
        var redis = api.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();
        var key = Guid.NewGuid().ToString();
        var first = await store.ClaimAsync("test:owner", key, "h", CancellationToken.None);
        Assert.Equal(ClaimOutcome.Claimed, first.Outcome);

        // The first request's claim ran out (deleted here, as expiry would) and a retry claimed the key.
        await redis.KeyDeleteAsync($"{api.RedisPrefix}:idem:test:owner:{key}");
        var retry = await store.ClaimAsync("test:owner", key, "h", CancellationToken.None);
        Assert.Equal(ClaimOutcome.Claimed, retry.Outcome);

        await store.ReleaseAsync(first.Request!, answered: false);
        await redis.PingAsync(); // after the fire-and-forget release on the same connection
        Assert.Equal(ClaimOutcome.InProgress, (await store.ClaimAsync("test:owner", key, "h", CancellationToken.None)).Outcome);

        await store.ReleaseAsync(retry.Request!, answered: false);
        await redis.PingAsync();
        Assert.Equal(ClaimOutcome.Claimed, (await store.ClaimAsync("test:owner", key, "h", CancellationToken.None)).Outcome);
    }

    [Fact]
    public async Task A_temporary_refusal_is_not_replayed()
    {
        using var admin = await api.CreateAdminClientAsync();
        var username = "locked" + Guid.NewGuid().ToString("N")[..8];
        var password = "a-long-enough-password-1";
        await (await admin.PostAsJsonAsync("/v1/staff", new { username, displayName = "Locked Out", password, roles = RiskOfficer }))
            .AssertStatusAsync(HttpStatusCode.Created);
        using var anonymous = api.CreateApiClient();
        await (await anonymous.PostAsJsonAsync("/v1/auth/staff/token", new { username, password = "wrong-password-000" }))
            .AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await anonymous.PostAsJsonAsync("/v1/auth/staff/token", new { username, password = "wrong-password-000" }))
            .AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");

        // Locked out: even the right password is refused, and that refusal is not the key's last word.
        var key = Guid.NewGuid().ToString();
        var body = new Dictionary<string, object?> { ["username"] = username, ["password"] = password };
        await (await PostAsync(anonymous, "/v1/auth/staff/token", body, key)).AssertProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");

        api.Clock.Advance(TimeSpan.FromMinutes(16));
        var later = await PostAsync(anonymous, "/v1/auth/staff/token", body, key);

        await later.AssertStatusAsync(HttpStatusCode.OK);
        Assert.False(later.Headers.Contains(ReplayedHeader));
    }

    [Fact]
    public async Task A_request_whose_key_was_claimed_in_the_database_meanwhile_does_not_commit_its_change()
    {
        using var admin = await api.CreateAdminClientAsync();
        var me = (await (await admin.GetAsync("/v1/me")).ReadJsonAsync()).GetProperty("id").GetString();
        var body = TestHttp.ValidProduct();
        var key = Guid.NewGuid().ToString();
        await using var locker = await api.OpenDatabaseAsync();
        await locker.ExecuteAsync("LOCK TABLES products READ");

        // Held at its write, past its claim in Redis; meanwhile an instance without Redis claims the key for another request.
        var first = PostAsync(admin, "/v1/products", body, key);
        await using var other = await api.OpenDatabaseAsync();
        for (var i = 0; i < 600 && await other.ExecuteScalarAsync<int>(
            "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE STATE LIKE 'Waiting for table%' AND INFO LIKE 'INSERT INTO products%'") == 0; i++)
        {
            await Task.Delay(50);
        }

        var now = api.Clock.GetUtcNow().UtcDateTime;
        await other.ExecuteAsync("""
            INSERT INTO idempotency_requests (scope, idem_key, request_hash, claim_token, completed, locked_at, expires_at)
            VALUES (@scope, @key, 'another request', @token, 0, @now, @until)
            """, new { scope = $"staff:{me}", key, token = Guid.NewGuid().ToString("N"), now, until = now.AddMinutes(10) });
        await locker.ExecuteAsync("UNLOCK TABLES");

        await (await first).AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "idempotency_key_reused");
        Assert.Equal(0, await other.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM product_versions WHERE name = @name", new { name = body["name"] }));
        Assert.Equal("another request", await other.ExecuteScalarAsync<string>(
            "SELECT request_hash FROM idempotency_requests WHERE scope = @scope AND idem_key = @key", new { scope = $"staff:{me}", key }));
    }

    [Fact]
    public void A_multipart_body_is_hashed_by_its_parts_not_its_boundary()
    {
        Assert.Equal(HashOf(Form("one", "a")), HashOf(Form("two", "a")));
        Assert.NotEqual(HashOf(Form("one", "a")), HashOf(Form("one", "b")));
    }

    private static MultipartFormDataContent Form(string boundary, string value) =>
        new(boundary) { { new StringContent(value), "kind" }, { new ByteArrayContent([1, 2, 3]), "file", "x.png" } };

    private static string HashOf(MultipartFormDataContent form)
    {
        using (form)
        {
            var context = new Microsoft.AspNetCore.Http.DefaultHttpContext();
            context.Request.Method = "POST";
            context.Request.Path = "/v1/x";
            context.Request.ContentType = form.Headers.ContentType!.ToString();
            context.Request.Body = new MemoryStream(form.ReadAsByteArrayAsync().GetAwaiter().GetResult());
            return IdempotencyMiddleware.HashRequestAsync(context.Request, CancellationToken.None).GetAwaiter().GetResult();
        }
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string path, object body, string key) => client.PostWithKeyAsync(path, body, key);
}
