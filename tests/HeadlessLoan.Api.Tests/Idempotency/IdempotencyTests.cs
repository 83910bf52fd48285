using System.Net;
using System.Net.Http.Json;
using Dapper;
using HeadlessLoan.Api.Tests.Infrastructure;

namespace HeadlessLoan.Api.Tests.Idempotency;

public sealed class IdempotencyTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private const string ReplayedHeader = "Idempotent-Replayed";

    [Fact]
    public async Task TwentyConcurrentIdenticalCreatesMakeExactlyOneProduct()
    {
        using var admin = await api.CreateAdminClientAsync();
        var body = TestHttp.ValidProduct();
        var key = Guid.NewGuid().ToString();

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => PostAsync(admin, "/v1/products", body, key)));

        await using var db = await api.OpenDatabaseAsync();
        Assert.Equal(1, await db.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM product_versions WHERE name = @name", new { name = body["name"] }));
        var ids = new HashSet<Guid>();
        foreach (var response in responses)
        {
            if (response.StatusCode == HttpStatusCode.Created)
            {
                ids.Add((await response.ReadJsonAsync()).GetProperty("id").GetGuid());
            }
            else
            {
                await response.AssertProblemAsync(HttpStatusCode.Conflict, "idempotency_in_progress");
            }
        }

        Assert.Single(ids);
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created && !r.Headers.Contains(ReplayedHeader));
        Assert.All(responses.Where(r => r.StatusCode == HttpStatusCode.Created && r.Headers.Contains(ReplayedHeader)),
            r => Assert.Equal("true", r.Headers.GetValues(ReplayedHeader).Single()));

        var retry = await PostAsync(admin, "/v1/products", body, key);
        await retry.AssertStatusAsync(HttpStatusCode.Created);
        Assert.Equal("true", retry.Headers.GetValues(ReplayedHeader).Single());
        Assert.Equal(ids.Single(), (await retry.ReadJsonAsync()).GetProperty("id").GetGuid());
        Assert.Equal($"/v1/products/{ids.Single()}", retry.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task ConcurrentRequestsWithTheirOwnKeysEachReplayTheirOwnAnswer()
    {
        // Answers of requests running together are looked up and stored together; each must stay its own.
        using var admin = await api.CreateAdminClientAsync();
        var requests = Enumerable.Range(0, 30).Select(_ => (Key: Guid.NewGuid().ToString(), Body: TestHttp.ValidProduct())).ToList();

        var firsts = await Task.WhenAll(requests.Select(r => PostAsync(admin, "/v1/products", r.Body, r.Key)));
        var replays = await Task.WhenAll(requests.Select(r => PostAsync(admin, "/v1/products", r.Body, r.Key)));

        for (var i = 0; i < requests.Count; i++)
        {
            await firsts[i].AssertStatusAsync(HttpStatusCode.Created);
            await replays[i].AssertStatusAsync(HttpStatusCode.Created);
            Assert.False(firsts[i].Headers.Contains(ReplayedHeader));
            Assert.Equal("true", replays[i].Headers.GetValues(ReplayedHeader).Single());
            var created = await firsts[i].ReadJsonAsync();
            Assert.Equal(requests[i].Body["name"], created.GetProperty("name").GetString());
            Assert.Equal(created.GetRawText(), (await replays[i].ReadJsonAsync()).GetRawText());
            Assert.Equal(firsts[i].Headers.Location, replays[i].Headers.Location);
        }
    }

    [Fact]
    public async Task SameKeyWithADifferentBodyIsRejected()
    {
        using var admin = await api.CreateAdminClientAsync();
        var key = Guid.NewGuid().ToString();
        await (await PostAsync(admin, "/v1/products", TestHttp.ValidProduct(), key)).AssertStatusAsync(HttpStatusCode.Created);

        var other = await PostAsync(admin, "/v1/products", TestHttp.ValidProduct(), key);

        await other.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "idempotency_key_reused");
    }

    [Fact]
    public async Task KeyLongerThan255CharactersIsInvalid()
    {
        using var admin = await api.CreateAdminClientAsync();

        var response = await PostAsync(admin, "/v1/products", TestHttp.ValidProduct(), new string('k', 256));

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "idempotency_key_invalid");
    }

    [Fact]
    public async Task KeyOf255CharactersIsAccepted()
    {
        using var admin = await api.CreateAdminClientAsync();

        var response = await PostAsync(admin, "/v1/products", TestHttp.ValidProduct(), new string('k', 255));

        await response.AssertStatusAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task TheSameKeyFromTwoCallersIsTwoIndependentRequests()
    {
        using var admin = await api.CreateAdminClientAsync();
        using var otherAdmin = await api.CreateStaffWithRolesAsync("admin");
        var key = Guid.NewGuid().ToString();
        var body = TestHttp.ValidProduct();

        var first = await PostAsync(admin, "/v1/products", body, key);
        var second = await PostAsync(otherAdmin, "/v1/products", body, key);

        await first.AssertStatusAsync(HttpStatusCode.Created);
        await second.AssertStatusAsync(HttpStatusCode.Created);
        Assert.False(second.Headers.Contains(ReplayedHeader));
        Assert.NotEqual((await first.ReadJsonAsync()).GetProperty("id").GetGuid(), (await second.ReadJsonAsync()).GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task AfterTwentyFourHoursTheKeyCanBeUsedAgain()
    {
        var key = Guid.NewGuid().ToString();
        using (var admin = await api.CreateAdminClientAsync())
        {
            await (await PostAsync(admin, "/v1/products", TestHttp.ValidProduct(), key)).AssertStatusAsync(HttpStatusCode.Created);
        }

        api.Clock.Advance(TimeSpan.FromHours(24) + TimeSpan.FromSeconds(1));
        using var later = await api.CreateAdminClientAsync();
        var reused = await PostAsync(later, "/v1/products", TestHttp.ValidProduct(), key);

        await reused.AssertStatusAsync(HttpStatusCode.Created);
        Assert.False(reused.Headers.Contains(ReplayedHeader));
    }

    [Fact]
    public async Task AFailedValidationIsReplayedToo()
    {
        using var admin = await api.CreateAdminClientAsync();
        var key = Guid.NewGuid().ToString();
        var body = TestHttp.ValidProduct();
        body["annualRateMax"] = 0.5m;

        var first = await PostAsync(admin, "/v1/products", body, key);
        var again = await PostAsync(admin, "/v1/products", body, key);

        await first.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "rate_above_ceiling");
        await again.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "rate_above_ceiling");
        Assert.Equal("true", again.Headers.GetValues(ReplayedHeader).Single());
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string path, object body, string key) => client.PostWithKeyAsync(path, body, key);
}
