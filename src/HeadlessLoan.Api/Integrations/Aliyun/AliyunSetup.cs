using HeadlessLoan.Api.Platform.Http;

namespace HeadlessLoan.Api.Integrations.Aliyun;

public static class AliyunSetup
{
    /// <summary>Aliyun SMS and voice notifications: options checked at start, one client for each product.</summary>
    public static IServiceCollection AddAliyun(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AliyunOptions>().BindConfiguration(AliyunOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var settings = configuration.GetSection(AliyunOptions.Section).Get<AliyunOptions>() ?? new AliyunOptions();
        // Timeouts and the circuit breaker only: every request is signed once with a nonce Aliyun will not take twice,
        // so the clients retry queries themselves, signed afresh, and never a send (AliyunRpcTransport).
        services.AddHttpClient<AliyunSmsClient>().AddUpstreamResilience(settings);
        services.AddHttpClient<AliyunVoiceClient>().AddUpstreamResilience(settings);
        return services;
    }
}
