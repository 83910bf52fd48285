using System.Net;
using System.Net.Http.Json;
using HeadlessLoan.Api.Tests.Decisions;
using HeadlessLoan.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HeadlessLoan.Api.Tests.Privacy;

/// <summary>The service with every log category at Trace, captured.</summary>
public sealed class LogCapturingFactory : ApiFactory
{
    public CapturedLogs Logs { get; } = new();

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Logging:LogLevel:Default"] = "Trace",
        ["Logging:LogLevel:Microsoft"] = "Trace",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
        ["Logging:LogLevel:System"] = "Trace",
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddLogging(l => l.AddProvider(Logs).SetMinimumLevel(LogLevel.Trace)));
    }
}

public sealed class PersonalDataLogTests(LogCapturingFactory api) : IClassFixture<LogCapturingFactory>
{
    [Fact]
    public async Task NoPersonalDataReachesTheLogsDuringTheWholeIntakeFlow()
    {
        var product = await IntakeFlow.CreateProductAsync(api);
        var (client, id) = await IntakeFlow.DraftAsync(api, product);
        await (await client.PostAsJsonAsync("/v1/borrowers/me/phone", new { code = "sandbox_phone_13912345678" })).AssertStatusAsync(HttpStatusCode.OK);
        await IntakeFlow.SubmitAsync(client, id);
        var decided = await IntakeFlow.DecidedAsync(client, id);
        await client.GetAsync($"/v1/applications/{id}");

        Assert.Equal("approved", decided.GetProperty("status").GetString());
        Assert.True(api.Logs.Lines.Count > 100, "the flow should have logged plenty at Trace");
        // The capture sees the flow itself (request paths, the decision), so an absence below means something.
        Assert.Contains(api.Logs.Lines, line => line.Contains($"/v1/applications/{id}/submit", StringComparison.Ordinal));
        // The worker logs the decision just after it commits, so the line may follow the answer by a moment.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!api.Logs.Lines.Any(line => line.Contains($"Application {id} decided", StringComparison.Ordinal)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Contains(api.Logs.Lines, line => line.Contains($"Application {id} decided", StringComparison.Ordinal));
        string[] personal =
        [
            "110101199003070011",   // ID number read by OCR
            "6222020200112345679",  // bank card number
            "13912345678",          // phone
            "张三",                  // name
            "沙箱路",                // address
        ];
        foreach (var value in personal)
        {
            Assert.DoesNotContain(api.Logs.Lines, line => line.Contains(value, StringComparison.Ordinal));
        }
    }
}
