using HeadlessLoan.Api.Platform.Http;
using Microsoft.Extensions.Options;

namespace HeadlessLoan.Api.Integrations.WeChatPay;

public static class WeChatPaySetup
{
    /// <summary>
    /// WeChat Pay v3: options checked at start (keys readable, certificates named by their serials), the client, the
    /// payment parameters and the notification verifier.
    /// </summary>
    public static IServiceCollection AddWeChatPay(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<WeChatPayOptions>().BindConfiguration(WeChatPayOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<WeChatPayOptions>, WeChatPayOptionsValidator>();
        services.AddSingleton<WeChatPayKeyRing>();
        services.AddSingleton<WeChatPayJsapi>();
        services.AddSingleton<WeChatPayNotificationVerifier>();
        services.AddHttpClient<WeChatPayClient>((sp, client) =>
                client.BaseAddress = new Uri(sp.GetRequiredService<IOptionsMonitor<WeChatPayOptions>>().CurrentValue.BaseUrl))
            // Orders and refunds are keyed by our own numbers, so a retried POST charges or refunds once.
            .AddUpstreamResilience(configuration.GetSection(WeChatPayOptions.Section).Get<WeChatPayOptions>() ?? new WeChatPayOptions());
        return services;
    }
}
