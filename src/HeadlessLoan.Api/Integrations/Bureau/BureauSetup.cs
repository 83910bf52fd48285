using Microsoft.Extensions.Options;

namespace HeadlessLoan.Api.Integrations.Bureau;

public static class BureauSetup
{
    public static IServiceCollection AddCreditBureau(this IServiceCollection services)
    {
        services.AddOptions<BureauOptions>().BindConfiguration(BureauOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddHttpClient<CreditBureauClient>((sp, client) => CreditBureauClient.Configure(client, sp.GetRequiredService<IOptions<BureauOptions>>().Value));
        return services;
    }
}
