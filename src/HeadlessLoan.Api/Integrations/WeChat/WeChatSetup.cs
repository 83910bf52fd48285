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
            .AddStandardResilienceHandler(r =>
            {
                // Transport failures and timeouts only: WeChat answers its own errors with HTTP 200.
                var o = configuration.GetSection(WeChatOptions.Section).Get<WeChatOptions>() ?? new WeChatOptions();
                r.Retry.MaxRetryAttempts = 2;
                r.Retry.Delay = TimeSpan.FromMilliseconds(o.RetryDelayMilliseconds);
                r.AttemptTimeout.Timeout = TimeSpan.FromSeconds(o.TimeoutSeconds);
                r.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(3 * o.TimeoutSeconds);
                r.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(Math.Max(30, 6 * o.TimeoutSeconds));
                r.CircuitBreaker.MinimumThroughput = o.CircuitBreakerMinimumThroughput;
                r.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(o.CircuitBreakSeconds);
            });
        services.AddSingleton<InstanceAccessToken>();
        services.AddTransient<WeChatAccessTokens>();
        services.AddTransient<WeChatApiClient>();
        return services;
    }
}
