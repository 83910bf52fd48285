using System.Net.Http.Json;
using Microsoft.Extensions.Options;

namespace HeadlessLoan.Api.Integrations.WeChat;

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

    public Task<CVOCRIdCardResponse> ExecuteCVOCRIdCardAsync(CVOCRIdCardRequest request, CancellationToken ct) =>
        WithAccessTokenAsync(token => http.SendAsync<CVOCRIdCardResponse>(() => OcrRequest(
            $"/cv/ocr/idcard?type={Uri.EscapeDataString(request.Mode)}", token, request), ct), ct);

    public Task<CVOCRBankCardResponse> ExecuteCVOCRBankCardAsync(CVOCRBankCardRequest request, CancellationToken ct) =>
        WithAccessTokenAsync(token => http.SendAsync<CVOCRBankCardResponse>(() => OcrRequest("/cv/ocr/bankcard?", token, request), ct), ct);

    /// <summary>
    /// Sends a subscribe message (a reminder) to a borrower who subscribed to its template. Sent at most once per call:
    /// not idempotent, so a timeout, a 5xx or "busy" after the request may have reached WeChat is
    /// <see cref="WeChatUnavailableException"/>, never a second send. Only a token WeChat refused before acting is
    /// refreshed and the send tried again. Refusals (<see cref="WeChatSubscribeErrorCodes"/>) are the response's errcode.
    /// </summary>
    public Task<CgibinMessageSubscribeSendResponse> ExecuteCgibinMessageSubscribeSendAsync(CgibinMessageSubscribeSendRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = new CgibinMessageSubscribeSendWire(
            request.ToUserOpenId, request.TemplateId, request.MiniProgramPagePath,
            request.Data.ToDictionary(d => d.Key, d => new CgibinMessageSubscribeSendWire.Value(d.Value), StringComparer.Ordinal),
            request.MiniProgramState, request.Language);
        return WithAccessTokenAsync(token => http.SendAsync<CgibinMessageSubscribeSendResponse>(() => new HttpRequestMessage(
            HttpMethod.Post, $"/cgi-bin/message/subscribe/send?access_token={Uri.EscapeDataString(token)}")
        {
            Content = JsonContent.Create(body),
        }, ct, idempotent: false), ct);
    }

    /// <summary>A fresh message per attempt: the image as multipart field <c>img</c>, or <c>img_url</c> in the query.</summary>
    private static HttpRequestMessage OcrRequest(string pathAndQuery, string token, CVOCRRequest request)
    {
        var separator = pathAndQuery.EndsWith('?') ? "" : "&";
        var url = $"{pathAndQuery}{separator}access_token={Uri.EscapeDataString(token)}";
        if (request.ImageFileBytes is null)
        {
            return new HttpRequestMessage(HttpMethod.Post, $"{url}&img_url={Uri.EscapeDataString(request.ImageUrl ?? "")}");
        }

        var image = new ByteArrayContent(request.ImageFileBytes);
        image.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(request.ImageContentType);
        return new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new MultipartFormDataContent { { image, "img", request.ImageFileName } },
        };
    }

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
