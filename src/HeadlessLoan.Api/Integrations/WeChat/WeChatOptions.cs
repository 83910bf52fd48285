using System.ComponentModel.DataAnnotations;
using HeadlessLoan.Api.Platform.Http;

namespace HeadlessLoan.Api.Integrations.WeChat;

public sealed class WeChatOptions : IUpstreamResilienceSettings
{
    public const string Section = "WeChat";

    /// <summary>https://api.weixin.qq.com in production; the sandbox in development and tests.</summary>
    [Required(ErrorMessage = "WeChat:ApiBaseUrl is required (https://api.weixin.qq.com, or the sandbox).")]
    [Url(ErrorMessage = "WeChat:ApiBaseUrl must be an absolute URL.")]
    public string ApiBaseUrl { get; init; } = "";

    [Required(ErrorMessage = "WeChat:AppId is required (the mini-program's app id).")]
    public string AppId { get; init; } = "";

    [Required(ErrorMessage = "WeChat:AppSecret is required.")]
    public string AppSecret { get; init; } = "";

    /// <summary>Refresh the cached access token this long before WeChat says it expires.</summary>
    [Range(0, 3600)]
    public int TokenRefreshMarginSeconds { get; init; } = 300;

    [Range(1, 60)]
    public int TimeoutSeconds { get; init; } = 5;

    /// <summary>Pause before retrying a failed connection. The retry waits on the injected clock.</summary>
    [Range(0, 10_000)]
    public int RetryDelayMilliseconds { get; init; } = 200;

    /// <summary>Calls in the sampling window before the circuit may open (the share failing must reach a tenth).</summary>
    [Range(2, 10_000)]
    public int CircuitBreakerMinimumThroughput { get; init; } = 100;

    /// <summary>How long an open circuit refuses calls without asking WeChat, answered 503 with this as Retry-After.</summary>
    [Range(1, 600)]
    public int CircuitBreakSeconds { get; init; } = 5;
}
