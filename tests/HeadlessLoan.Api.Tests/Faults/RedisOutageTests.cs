using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Dapper;
using HeadlessLoan.Api.Tests.Applications;
using HeadlessLoan.Api.Tests.Infrastructure;
using StackExchange.Redis;

namespace HeadlessLoan.Api.Tests.Faults;

/// <summary>
/// Redis really stopped under the running service, and started again. What does not need Redis keeps working: reads,
/// quotes, sign-in, documents, creates and submits under an <c>Idempotency-Key</c> (each made once, the database holding
/// the keys); limits are counted by the instance; every answer comes well within two seconds; readiness names Redis.
/// Once Redis is back the service uses it again by itself.
/// </summary>
public sealed class RedisOutageTests(OwnRedisApiFactory api) : IClassFixture<OwnRedisApiFactory>, IAsyncLifetime
{
    /// <summary>The most an answer may take while Redis is away; they take milliseconds.</summary>
    private static readonly TimeSpan AnswerBound = TimeSpan.FromSeconds(2);

    private readonly ConcurrentQueue<(string What, TimeSpan Took)> _answers = new();

    [Fact]
    public async Task Without_Redis_reads_work_and_creates_under_a_key_are_made_once()
    {
        using var admin = await api.CreateAdminClientAsync();
        var existing = (await admin.CreateProductAsync()).GetProperty("id").GetGuid();
        await api.Redis.StopAsync();

        await (await TimedAsync("read", () => admin.GetAsync($"/v1/products/{existing}"))).AssertStatusAsync(HttpStatusCode.OK);
        await (await TimedAsync("list", () => admin.GetAsync("/v1/products"))).AssertStatusAsync(HttpStatusCode.OK);

        var body = TestHttp.ValidProduct();
        var key = Guid.NewGuid().ToString();
        var created = await TimedAsync("create", () => admin.PostWithKeyAsync("/v1/products", body, key));
        await created.AssertStatusAsync(HttpStatusCode.Created);
        var replay = await TimedAsync("replay", () => admin.PostWithKeyAsync("/v1/products", body, key));
        await replay.AssertStatusAsync(HttpStatusCode.Created);
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal((await created.ReadJsonAsync()).GetProperty("id").GetGuid(), (await replay.ReadJsonAsync()).GetProperty("id").GetGuid());
        var reused = await TimedAsync("reuse", () => admin.PostWithKeyAsync("/v1/products", TestHttp.ValidProduct(), key));
        await reused.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "idempotency_key_reused");

        await AssertDuplicatesMakeOneChannelAsync(admin);
        AssertEveryAnswerWellWithinTheBound();
    }

    [Fact]
    public async Task Without_Redis_readiness_says_Redis_is_down_and_the_service_still_takes_traffic()
    {
        using var client = api.CreateApiClient();
        await (await client.GetAsync("/health/ready")).AssertStatusAsync(HttpStatusCode.OK); // untimed: the first check reads the contract
        await api.Redis.StopAsync();

        var ready = await TimedAsync("readiness", () => client.GetAsync("/health/ready"));

        await ready.AssertStatusAsync(HttpStatusCode.OK);
        var body = await ready.ReadJsonAsync();
        Assert.Equal("degraded", body.GetProperty("status").GetString());
        Assert.Equal("unhealthy", body.GetProperty("checks").GetProperty("redis").GetString());
        Assert.Equal("healthy", body.GetProperty("checks").GetProperty("database").GetString());
        AssertEveryAnswerWellWithinTheBound();
    }

    [Fact]
    public async Task Without_Redis_each_instance_counts_the_limit_itself()
    {
        using var client = api.CreateApiClient();
        await (await client.GetAsync("/health/ready")).AssertStatusAsync(HttpStatusCode.OK); // untimed: the first check reads the contract
        await api.Redis.StopAsync();

        for (var i = 0; i < OwnRedisApiFactory.QuotesPerMinute; i++)
        {
            await (await TimedAsync("quote", () => QuoteAsync(client))).AssertStatusAsync(HttpStatusCode.OK);
        }

        var refused = await TimedAsync("quote over the limit", () => QuoteAsync(client));
        await refused.AssertProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.True(int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        AssertEveryAnswerWellWithinTheBound();

        // Back: the window is counted in Redis again, which never saw the requests above. For RedisHealth's pause
        // after the last failure (2 s) the instance may still count alone, and its own window is full.
        await RestartRedisAndWaitUntilReadyAsync();
        for (var waited = Stopwatch.StartNew(); ; await Task.Delay(100))
        {
            using var quote = await QuoteAsync(client);
            if (quote.StatusCode != HttpStatusCode.TooManyRequests)
            {
                await quote.AssertStatusAsync(HttpStatusCode.OK);
                break;
            }

            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(5), "the limit was not counted in Redis again after it came back");
        }

        var counters = await RedisKeysAsync("rl:quote:*");
        Assert.NotEmpty(counters);
    }

    [Fact]
    public async Task Without_Redis_a_borrower_signs_in_adds_documents_and_submits_once()
    {
        var productId = await api.CreateProductIdAsync();
        await api.Redis.StopAsync();

        // Sign-in (limited per address), documents (the WeChat access token is otherwise shared through Redis), consent.
        using var borrower = await api.CreateBorrowerClientAsync();
        var id = (await borrower.CreateApplicationAsync(productId)).GetProperty("id").GetGuid();
        await borrower.CompleteAsync(id);
        var key = Guid.NewGuid().ToString();
        var submits = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => TimedAsync("submit", () => borrower.SubmitAsync(id, key))));
        var replay = await TimedAsync("submit again", () => borrower.SubmitAsync(id, key));

        Assert.Single(submits, s => s.StatusCode == HttpStatusCode.Accepted && !s.Headers.Contains("Idempotent-Replayed"));
        Assert.All(submits, s => Assert.Contains(s.StatusCode, new[] { HttpStatusCode.Accepted, HttpStatusCode.Conflict }));
        await replay.AssertStatusAsync(HttpStatusCode.Accepted);
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        await using var db = await api.OpenDatabaseAsync();
        Assert.Equal(1, await db.ExecuteScalarAsync<int>(
            "SELECT COUNT(*) FROM outbox_events WHERE event_type = 'application.submitted' AND entity_id = @id", new { id = id.ToString() }));
        AssertEveryAnswerWellWithinTheBound();
    }

    [Fact]
    public async Task Once_Redis_is_back_keys_are_claimed_in_Redis_again()
    {
        using var admin = await api.CreateAdminClientAsync();
        await api.Redis.StopAsync();
        await (await admin.PostWithKeyAsync("/v1/products", TestHttp.ValidProduct(), Guid.NewGuid().ToString())).AssertStatusAsync(HttpStatusCode.Created);

        await RestartRedisAndWaitUntilReadyAsync();

        // A create held at its write (products cannot be written while the lock is held) shows where its key is claimed.
        var key = Guid.NewGuid().ToString();
        await using var locker = await api.OpenDatabaseAsync();
        await locker.ExecuteAsync("LOCK TABLES products READ");
        var held = admin.PostWithKeyAsync("/v1/products", TestHttp.ValidProduct(), key);
        var claims = await WaitForRedisKeysAsync($"idem:*:{key}");
        int rows;
        await using (var db = await api.OpenDatabaseAsync())
        {
            rows = await db.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM idempotency_requests WHERE idem_key = @key", new { key });
        }

        await locker.ExecuteAsync("UNLOCK TABLES");

        Assert.Single(claims);
        Assert.Equal(0, rows);
        await (await held).AssertStatusAsync(HttpStatusCode.Created);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Every test leaves Redis running for the next, whatever became of it.</summary>
    public async Task DisposeAsync()
    {
        if (!api.Redis.IsRunning)
        {
            await api.Redis.StartAsync();
        }
    }

    private async Task AssertDuplicatesMakeOneChannelAsync(HttpClient admin)
    {
        var name = "Outage channel " + Guid.NewGuid().ToString("N")[..8];
        var key = Guid.NewGuid().ToString();
        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
            TimedAsync("duplicate", () => admin.PostWithKeyAsync("/v1/channels", new { name }, key))));

        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.Created && !a.Headers.Contains("Idempotent-Replayed"));
        foreach (var answer in answers.Where(a => a.StatusCode != HttpStatusCode.Created))
        {
            await answer.AssertProblemAsync(HttpStatusCode.Conflict, "idempotency_in_progress");
        }

        await using var db = await api.OpenDatabaseAsync();
        Assert.Equal(1, await db.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM channels WHERE name = @name", new { name }));
    }

    private static Task<HttpResponseMessage> QuoteAsync(HttpClient client) =>
        client.PostAsJsonAsync("/v1/schedules/quote", new { principal = 1_000_000L, annualRate = 0.06m, termMonths = 12, method = "equal_installment" });

    private async Task<HttpResponseMessage> TimedAsync(string what, Func<Task<HttpResponseMessage>> send)
    {
        var watch = Stopwatch.StartNew();
        var response = await send();
        _answers.Enqueue((what, watch.Elapsed));
        return response;
    }

    private void AssertEveryAnswerWellWithinTheBound()
    {
        var slowest = _answers.MaxBy(a => a.Took);
        Assert.True(slowest.Took < AnswerBound, $"'{slowest.What}' took {slowest.Took.TotalMilliseconds:F0} ms without Redis");
    }

    /// <summary>Starts Redis again and waits (a generous bound) until the service reports it healthy.</summary>
    private async Task RestartRedisAndWaitUntilReadyAsync()
    {
        await api.Redis.StartAsync();
        using var client = api.CreateApiClient();
        for (var waited = Stopwatch.StartNew(); ; await Task.Delay(100))
        {
            var body = await (await client.GetAsync("/health/ready")).ReadJsonAsync();
            if (body.GetProperty("status").GetString() == "healthy")
            {
                return;
            }

            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), "the service did not take Redis up again");
        }
    }

    /// <summary>The service's keys in Redis matching <paramref name="pattern"/> (after the class's prefix).</summary>
    private async Task<IReadOnlyList<string>> RedisKeysAsync(string pattern)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(api.Redis.Endpoint);
        return redis.GetServer(api.Redis.Endpoint).Keys(pattern: $"{api.RedisPrefix}:{pattern}").Select(k => k.ToString()).ToList();
    }

    private async Task<IReadOnlyList<string>> WaitForRedisKeysAsync(string pattern)
    {
        for (var waited = Stopwatch.StartNew(); ; await Task.Delay(50))
        {
            var keys = await RedisKeysAsync(pattern);
            if (keys.Count > 0 || waited.Elapsed > TimeSpan.FromSeconds(30))
            {
                return keys;
            }
        }
    }
}
