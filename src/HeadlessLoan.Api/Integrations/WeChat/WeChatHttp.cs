using System.Net.Http.Json;
using HeadlessLoan.Api.Platform.Http;

namespace HeadlessLoan.Api.Integrations.WeChat;

/// <summary>
/// Transport to WeChat: timeouts and network failures are retried by the resilience pipeline around the
/// HttpClient (<see cref="UpstreamHttp"/>); errcode -1 ("system busy") is retried here with a short backoff. What still
/// fails becomes <see cref="WeChatUnavailableException"/>, so every endpoint that calls WeChat answers it as its 503.
/// A call that is not idempotent (a message sent) is tried once: neither the pipeline nor "busy" sends it again, since
/// WeChat may have acted on it; its failure is the exception, for the caller to reconcile.
/// </summary>
public sealed class WeChatHttp(HttpClient http)
{
    private const int BusyRetries = 2;

    public async Task<T> SendAsync<T>(Func<HttpRequestMessage> build, CancellationToken ct, bool idempotent = true)
        where T : WeChatResponse
    {
        for (var attempt = 0; ; attempt++)
        {
            using var message = idempotent ? build() : build().NotRetried();
            var response = await UpstreamHttp.SendAsync(http, message, async (answer, token) =>
            {
                answer.EnsureSuccessStatusCode();
                return await answer.Content.ReadFromJsonAsync<T>(token);
            }, (what, e) => new WeChatUnavailableException($"WeChat {what}.", e), ct);

            if (response is null)
            {
                throw new WeChatUnavailableException("WeChat sent an empty answer.");
            }

            if (response.ErrorCode != WeChatErrorCodes.SystemBusy)
            {
                return response;
            }

            if (!idempotent || attempt >= BusyRetries)
            {
                throw new WeChatUnavailableException("WeChat kept answering busy (-1).", errorCode: WeChatErrorCodes.SystemBusy);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100 * (1 << attempt)), ct);
        }
    }
}
