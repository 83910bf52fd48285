using HeadlessLoan.Api.Bureau;
using HeadlessLoan.Api.Fraud;
using HeadlessLoan.Api.Infrastructure;
using Microsoft.Extensions.Options;

namespace HeadlessLoan.Api.Decisions;

public static class DecisionSetup
{
    public static IServiceCollection AddIntakeDecisions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DecisionOptions>().BindConfiguration(DecisionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<PipelineOptions>().BindConfiguration(PipelineOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<FraudOptions>().BindConfiguration(FraudOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<BureauOptions>().BindConfiguration(BureauOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        services.AddHttpClient<CreditBureauClient>((sp, client) => CreditBureauClient.Configure(client, sp.GetRequiredService<IOptions<BureauOptions>>().Value));
        services.AddSingleton<IIpRegionLookup>(sp =>
        {
            var file = sp.GetRequiredService<IOptions<FraudOptions>>().Value.IpRegionFile;
            return new Ip2LocationCsvLookup(string.IsNullOrEmpty(file)
                ? Path.Combine(AppContext.BaseDirectory, "Fraud", "data", "ip2location-lite-db3.sample.csv")
                : file);
        });
        services.AddSingleton<DecisionStore>();
        services.AddSingleton<IntakePipeline>();
        if (configuration.GetValue(PipelineOptions.Section + ":" + nameof(PipelineOptions.Enabled), true))
        {
            services.AddBackgroundWorker<IntakePipeline>(configuration);
        }

        return services;
    }
}
