using System.Net.Http.Json;

namespace HeadlessLoan.Api.Integrations.WeChat;

/// <summary>
/// Transport to WeChat: timeouts and network failures are retried by the resilience pipeline around the
/// HttpClient; errcode -1 ("system busy") is retried here with a short backoff. What still fails becomes
/// <see cref="WeChatUnavailableException"/>: network failures, timeouts (the HttpClient's or the pipeline's) and an open
/// circuit alike, so every endpoint that calls WeChat answers them as its 503 and none as a 500.
/// </summary>
public sealed class WeChatHttp(HttpClient http)
{
    private const int BusyRetries = 2;

    public async Task<T> SendAsync<T>(Func<HttpRequestMessage> build, CancellationToken ct)
        where T : WeChatResponse
    {
        for (var attempt = 0; ; attempt++)
        {
            T? response;
            try
            {
                using var message = build();
                using var answer = await http.SendAsync(message, ct);
                answer.EnsureSuccessStatusCode();
                response = await answer.Content.ReadFromJsonAsync<T>(ct);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException && !ct.IsCancellationRequested)
            {
                throw new WeChatUnavailableException("WeChat could not be reached.", e);
            }
            catch (Polly.Timeout.TimeoutRejectedException e)
            {
                throw new WeChatUnavailableException("WeChat did not answer in time.", e);
            }
            catch (Polly.ExecutionRejectedException e)
            {
                // The circuit is open after repeated failures (or another strategy refused the call): WeChat is not asked.
                throw new WeChatUnavailableException("WeChat failed repeatedly; calls are paused.", e);
            }

            if (response is null)
            {
                throw new WeChatUnavailableException("WeChat sent an empty answer.");
            }

            if (response.ErrorCode != WeChatErrorCodes.SystemBusy)
            {
                return response;
            }

            if (attempt >= BusyRetries)
            {
                throw new WeChatUnavailableException("WeChat kept answering busy (-1).", errorCode: WeChatErrorCodes.SystemBusy);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100 * (1 << attempt)), ct);
        }
    }
}
