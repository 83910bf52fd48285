using HeadlessLoan.Api.Integrations.Bank;
using HeadlessLoan.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace HeadlessLoan.Api.Tests.Bank;

/// <summary>Program registers the bank where its section is given, as WeChat Pay, and only there; the test service has it.</summary>
public sealed class BankRegistrationTests(ApiFactory service) : IClassFixture<ApiFactory>
{
    [Fact]
    public void Without_the_bank_section_the_bank_is_not_registered_and_with_it_it_is()
    {
        Assert.DoesNotContain(Registered([]), d => d.ServiceType == typeof(BankPayoutClient) || d.ServiceType == typeof(BankCallbackVerifier));
        var services = Registered(BankTestSettings.Settings(service.Sandbox, "http://127.0.0.1:9/v1/webhooks/bank"));
        Assert.Contains(services, d => d.ServiceType == typeof(BankPayoutClient));
        Assert.Contains(services, d => d.ServiceType == typeof(BankCallbackVerifier));
    }

    [Fact]
    public async Task The_started_service_pays_through_its_bank_client()
    {
        _ = service.Server;
        var client = service.Services.GetRequiredService<BankPayoutClient>();
        var payoutNo = "P" + Guid.NewGuid().ToString("N")[..24];

        var paid = await client.SubmitAsync(new PayoutRequest(payoutNo, "6222020300000000426", "张三", 10_000, "放款"), default);

        Assert.Equal((payoutNo, PayoutState.Succeeded), (paid.PayoutNo, paid.State));
        Assert.NotNull(service.Services.GetService<BankCallbackVerifier>());
    }

    private static IServiceCollection Registered(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(settings);
        Program.AddModules(builder);
        return builder.Services;
    }
}
