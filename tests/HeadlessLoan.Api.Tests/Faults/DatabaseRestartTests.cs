using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using HeadlessLoan.Api.Platform.Audit;
using HeadlessLoan.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace HeadlessLoan.Api.Tests.Faults;

/// <summary>
/// The service's MariaDB really stopped and started again under it. While it is down, requests that need it are told to
/// come back (503 <c>unavailable</c> with <c>Retry-After</c>) at once, readiness names the database, and a quote of given
/// terms, which needs no database, is still made. Once it is back no request fails, whether requests came during the
/// outage or none did: the connections the pool kept from before are never handed out broken.
/// </summary>
public sealed class DatabaseRestartTests(OwnDatabaseApiFactory api) : IClassFixture<OwnDatabaseApiFactory>, IAsyncLifetime
{
    private static readonly TimeSpan AnswerBound = TimeSpan.FromSeconds(2);

    /// <summary>Requests at once: enough to leave as many connections in the pool, each broken by a restart.</summary>
    private const int AtOnce = 16;

    private readonly ConcurrentQueue<(string What, TimeSpan Took)> _answers = new();

    [Fact]
    public async Task While_the_database_is_down_requests_are_told_to_come_back_and_once_it_is_back_none_fails()
    {
        using var admin = await api.CreateAdminClientAsync();
        var product = await CreateProductAsync(admin);
        await UseManyConnectionsAsync(admin, product);
        await api.Database.StopAsync();

        await AssertUnavailableAsync(await TimedAsync("read", () => admin.GetAsync($"/v1/products/{product}")));
        var key = Guid.NewGuid().ToString();
        var body = TestHttp.ValidProduct();
        await AssertUnavailableAsync(await TimedAsync("create", () => admin.PostWithKeyAsync("/v1/products", body, key)));
        using var anonymous = api.CreateApiClient();
        var ready = await TimedAsync("readiness", () => anonymous.GetAsync("/health/ready"));
        await ready.AssertStatusAsync(HttpStatusCode.ServiceUnavailable);
        var checks = (await ready.ReadJsonAsync()).GetProperty("checks");
        Assert.Equal("unhealthy", checks.GetProperty("database").GetString());
        Assert.Equal("healthy", checks.GetProperty("redis").GetString());
        var quote = await TimedAsync("quote", () => anonymous.PostAsJsonAsync("/v1/schedules/quote",
            new { principal = 1_000_000L, annualRate = 0.06m, termMonths = 12, method = "equal_installment" }));
        await quote.AssertStatusAsync(HttpStatusCode.OK);
        var slowest = _answers.MaxBy(a => a.Took);
        Assert.True(slowest.Took < AnswerBound, $"'{slowest.What}' took {slowest.Took.TotalMilliseconds:F0} ms with the database down");

        await api.Database.StartAsync();

        await AssertNoneFailsAsync(admin, product);
        var retried = await admin.PostWithKeyAsync("/v1/products", body, key);
        await retried.AssertStatusAsync(HttpStatusCode.Created);
        Assert.False(retried.Headers.Contains("Idempotent-Replayed"));
    }

    [Fact]
    public async Task A_restart_no_request_saw_costs_no_request()
    {
        using var admin = await api.CreateAdminClientAsync();
        var product = await CreateProductAsync(admin);
        await UseManyConnectionsAsync(admin, product);

        await api.Database.StopAsync();
        await api.Database.StartAsync();

        await AssertNoneFailsAsync(admin, product);
    }

    [Fact]
    public async Task The_audit_chainer_takes_its_lock_again_after_a_restart()
    {
        var chainer = api.Services.GetRequiredService<AuditChainer>();
        using var admin = await api.CreateAdminClientAsync();
        await CreateProductAsync(admin);
        await chainer.ChainAsync(TimeSpan.FromSeconds(30), CancellationToken.None);

        await api.Database.StopAsync();
        await api.Database.StartAsync();
        await CreateProductAsync(admin);

        Assert.True(await chainer.ChainAsync(TimeSpan.FromSeconds(30), CancellationToken.None) >= 1);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Every test leaves the database running for the next, whatever became of it.</summary>
    public async Task DisposeAsync()
    {
        if (!api.Database.IsRunning)
        {
            await api.Database.StartAsync();
        }
    }

    private static async Task<Guid> CreateProductAsync(HttpClient admin) => (await admin.CreateProductAsync()).GetProperty("id").GetGuid();

    /// <summary>Reads at once, so the pool keeps that many connections.</summary>
    private static async Task UseManyConnectionsAsync(HttpClient admin, Guid product)
    {
        var reads = await Task.WhenAll(Enumerable.Range(0, AtOnce).Select(_ => admin.GetAsync($"/v1/products/{product}")));
        Assert.All(reads, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
    }

    /// <summary>Reads, lists and creates (with and without a key), many at once, more than the pool kept: none fails.</summary>
    private static async Task AssertNoneFailsAsync(HttpClient admin, Guid product)
    {
        for (var round = 0; round < 3; round++)
        {
            var answers = await Task.WhenAll(Enumerable.Range(0, AtOnce).Select(i => (i % 4) switch
            {
                0 => admin.GetAsync($"/v1/products/{product}"),
                1 => admin.GetAsync("/v1/products"),
                2 => admin.PostWithKeyAsync("/v1/products", TestHttp.ValidProduct(), Guid.NewGuid().ToString()),
                _ => admin.PostAsJsonAsync("/v1/products", TestHttp.ValidProduct()),
            }));

            foreach (var answer in answers)
            {
                Assert.True((int)answer.StatusCode < 500, $"{answer.RequestMessage!.Method} {answer.RequestMessage.RequestUri} answered " +
                    $"{(int)answer.StatusCode} after the restart: {await answer.Content.ReadAsStringAsync()}");
            }
        }
    }

    private static async Task AssertUnavailableAsync(HttpResponseMessage response)
    {
        await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "unavailable");
        Assert.True(int.Parse(response.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
    }

    private async Task<HttpResponseMessage> TimedAsync(string what, Func<Task<HttpResponseMessage>> send)
    {
        var watch = Stopwatch.StartNew();
        var response = await send();
        _answers.Enqueue((what, watch.Elapsed));
        return response;
    }
}
