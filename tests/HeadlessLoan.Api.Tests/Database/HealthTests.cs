using System.Net;
using HeadlessLoan.Api.Tests.Infrastructure;

namespace HeadlessLoan.Api.Tests.Database;

public sealed class HealthTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task ReadinessReportsDatabaseRedisAndMigrationsHealthy()
    {
        using var client = api.CreateApiClient();

        var response = await client.GetAsync("/health/ready");

        await response.AssertStatusAsync(HttpStatusCode.OK);
        var body = await response.ReadJsonAsync();
        Assert.Equal("healthy", body.GetProperty("status").GetString());
        var checks = body.GetProperty("checks").EnumerateObject().ToDictionary(c => c.Name, c => c.Value.GetString());
        Assert.Equal(["database", "migrations", "redis"], checks.Keys.Order(StringComparer.Ordinal));
        Assert.All(checks.Values, status => Assert.Equal("healthy", status));
    }

    [Fact]
    public async Task LivenessAnswersWithoutCredentials()
    {
        using var client = api.CreateApiClient();

        var response = await client.GetAsync("/health/live");

        await response.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal("healthy", (await response.ReadJsonAsync()).GetProperty("status").GetString());
    }
}
