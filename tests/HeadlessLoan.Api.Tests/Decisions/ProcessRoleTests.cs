using System.Net;
using HeadlessLoan.Api.Features.Intake;
using HeadlessLoan.Api.Platform;
using HeadlessLoan.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace HeadlessLoan.Api.Tests.Decisions;

/// <summary>The service started as the API only (Process:Role = Api); tests start worker processes beside it.</summary>
public sealed class ApiOnlyFactory : ApiFactory
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        [ProcessRoles.Setting] = "Api",
        // The test polls the application while the worker process works.
        ["RateLimits:BorrowerPerMinute"] = "100000",
    };
}

public sealed class ProcessRoleTests(ApiOnlyFactory api) : IClassFixture<ApiOnlyFactory>
{
    [Fact]
    public async Task AnApiOnlyProcessLeavesSubmissionsToAWorkerProcessOnTheSameDatabase()
    {
        Assert.DoesNotContain(api.Services.GetServices<IHostedService>(), s => s is IntakePipeline);
        var product = await IntakeFlow.CreateProductAsync(api);
        var (client, id) = await IntakeFlow.DraftAsync(api, product);
        await IntakeFlow.SubmitAsync(client, id);

        // Nothing in the API process decides it...
        await Task.Delay(TimeSpan.FromSeconds(1));
        var waiting = await (await client.GetAsync($"/v1/applications/{id}")).ReadJsonAsync();
        Assert.Equal("submitted", waiting.GetProperty("status").GetString());

        // ...until a worker process starts beside it.
        await using var worker = api.WithWebHostBuilder(b => b.UseSetting(ProcessRoles.Setting, "Worker"));
        Assert.Contains(worker.Services.GetServices<IHostedService>(), s => s is IntakePipeline);
        var decided = await IntakeFlow.DecidedAsync(client, id);
        Assert.Equal("approved", decided.GetProperty("status").GetString());
    }

    [Fact]
    public async Task AWorkerProcessAnswersHealthChecksAndNothingElse()
    {
        await using var worker = api.WithWebHostBuilder(b => b.UseSetting(ProcessRoles.Setting, "worker"));
        using var http = worker.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/v1/products")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/openapi/v1.yaml")).StatusCode);
    }

    [Theory]
    [InlineData(null, ProcessRole.All)]
    [InlineData("", ProcessRole.All)]
    [InlineData("api", ProcessRole.Api)]
    [InlineData(" Worker ", ProcessRole.Worker)]
    public void TheRoleIsReadCaseInsensitivelyAndDefaultsToAll(string? value, ProcessRole expected) =>
        Assert.Equal(expected, ProcessRoles.Of(Config(value)));

    [Theory]
    [InlineData("workers")]
    [InlineData("3")]
    public void AnUnknownRoleStopsTheStartNamingTheSetting(string value)
    {
        var error = Assert.Throws<InvalidOperationException>(() => ProcessRoles.Of(Config(value)));
        Assert.Contains("Process:Role", error.Message, StringComparison.Ordinal);
    }

    private static IConfiguration Config(string? role) =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [ProcessRoles.Setting] = role }).Build();
}
