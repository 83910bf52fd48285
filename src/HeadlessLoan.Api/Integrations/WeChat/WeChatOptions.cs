using System.ComponentModel.DataAnnotations;
using HeadlessLoan.Api.Platform.Http;

namespace HeadlessLoan.Api.Integrations.WeChat;

public sealed record WeChatOptions : UpstreamResilienceSettings
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
}
