using HeadlessLoan.Api.Platform.Http;
using Microsoft.Extensions.Options;

namespace HeadlessLoan.Api.Integrations.WeChat;

public static class WeChatSetup
{
    public static IServiceCollection AddWeChat(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<WeChatOptions>().BindConfiguration(WeChatOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddHttpClient<WeChatHttp>((sp, client) =>
            {
                var o = sp.GetRequiredService<IOptions<WeChatOptions>>().Value;
                client.BaseAddress = new Uri(o.ApiBaseUrl);
            })
            // Transport failures and timeouts only: WeChat answers its own errors with HTTP 200.
            .AddUpstreamResilience(configuration.GetSection(WeChatOptions.Section).Get<WeChatOptions>() ?? new WeChatOptions());
        services.AddSingleton<InstanceAccessToken>();
        services.AddTransient<WeChatAccessTokens>();
        services.AddTransient<WeChatApiClient>();
        return services;
    }
}
