using HeadlessLoan.Api.Platform.Http;
using Microsoft.Extensions.Options;

namespace HeadlessLoan.Api.Integrations.Bank;

public static class BankSetup
{
    /// <summary>The payout bank: options checked at start, the payout client and the callback verifier.</summary>
    public static IServiceCollection AddBank(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BankOptions>().BindConfiguration(BankOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<BankCallbackVerifier>();
        services.AddHttpClient<BankPayoutClient>((sp, client) =>
                client.BaseAddress = new Uri(sp.GetRequiredService<IOptionsMonitor<BankOptions>>().CurrentValue.BaseUrl))
            // A retried submit pays once: payout_no is the bank's idempotency key.
            .AddUpstreamResilience(configuration.GetSection(BankOptions.Section).Get<BankOptions>() ?? new BankOptions());
        return services;
    }
}
