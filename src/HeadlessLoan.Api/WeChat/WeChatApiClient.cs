using System.Net.Http.Json;
using Microsoft.Extensions.Options;

namespace HeadlessLoan.Api.WeChat;

/// <summary>
/// The WeChat server API our flows use. Calls that need an access token get it from
/// <see cref="WeChatAccessTokens"/>; an invalid or expired token is refreshed once and the call retried once.
/// </summary>
public sealed class WeChatApiClient(WeChatHttp http, WeChatAccessTokens tokens, IOptions<WeChatOptions> options)
{
    public Task<SnsJsCode2SessionResponse> ExecuteSnsJsCode2SessionAsync(SnsJsCode2SessionRequest request, CancellationToken ct)
    {
        var o = options.Value;
        var url = $"/sns/jscode2session?appid={Uri.EscapeDataString(o.AppId)}&secret={Uri.EscapeDataString(o.AppSecret)}" +
                  $"&js_code={Uri.EscapeDataString(request.JsCode)}&grant_type=authorization_code";
        return http.SendAsync<SnsJsCode2SessionResponse>(() => new HttpRequestMessage(HttpMethod.Get, url), ct);
    }

    public Task<WxaBusinessGetUserPhoneNumberResponse> ExecuteWxaBusinessGetUserPhoneNumberAsync(WxaBusinessGetUserPhoneNumberRequest request, CancellationToken ct) =>
        WithAccessTokenAsync(token => http.SendAsync<WxaBusinessGetUserPhoneNumberResponse>(() => new HttpRequestMessage(
            HttpMethod.Post, $"/wxa/business/getuserphonenumber?access_token={Uri.EscapeDataString(token)}")
        {
            Content = JsonContent.Create(new { code = request.Code }),
        }, ct), ct);

    /// <summary>Runs a call that needs an access token; on 40001/42001 refreshes the token once and retries once.</summary>
    private async Task<T> WithAccessTokenAsync<T>(Func<string, Task<T>> call, CancellationToken ct)
        where T : WeChatResponse
    {
        var token = await tokens.GetAsync(ct);
        var response = await call(token);
        if (response.ErrorCode is WeChatErrorCodes.InvalidAccessToken or WeChatErrorCodes.AccessTokenExpired)
        {
            token = await tokens.RefreshAsync(token, ct);
            response = await call(token);
        }

        return response;
    }
}
