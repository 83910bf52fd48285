using System.Net.Http.Headers;
using System.Text;

namespace HeadlessLoan.Sandbox.Bank;

/// <summary>How a callback is sent: as the bank sends it, or spoilt the ways a receiver must refuse.</summary>
internal enum CallbackVariant
{
    AsSent,
    BadSignature,
    StaleTimestamp,
    Unsigned,
}

/// <summary>
/// Posts a finished payout to its notify_url, the body signed like every answer. Failures are written to the console,
/// never retried: a receiver that misses one queries the payout, or asks the sandbox to send it again.
/// </summary>
internal sealed class BankSandboxCallbacks(BankSandboxSigning signing, TimeProvider clock)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>The callback of a finished payout: the payout as it ended, the same bytes every time it is sent.</summary>
    public static byte[] Body(SandboxPayout payout) => Encoding.UTF8.GetBytes(payout.Json(payout.CompletesAt));

    /// <summary>Sends the payout's callback; the receiver's HTTP status, or null when it could not be reached.</summary>
    public async Task<int?> SendAsync(SandboxPayout payout, CallbackVariant variant, CancellationToken ct = default)
    {
        var body = Body(payout);
        using var request = new HttpRequestMessage(HttpMethod.Post, payout.NotifyUrl) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        if (variant != CallbackVariant.Unsigned)
        {
            var headers = variant switch
            {
                // Signed over another body: one space more.
                CallbackVariant.BadSignature => signing.SignatureHeaders([.. body, (byte)' '], clock.GetUtcNow()),
                CallbackVariant.StaleTimestamp => signing.SignatureHeaders(body, clock.GetUtcNow().AddMinutes(-10)),
                _ => signing.SignatureHeaders(body, clock.GetUtcNow()),
            };
            foreach (var (name, values) in headers)
            {
                request.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
        }

        try
        {
            using var response = await Http.SendAsync(request, ct);
            return (int)response.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or InvalidOperationException)
        {
            await Console.Error.WriteLineAsync($"bank sandbox: callback to {payout.NotifyUrl} failed: {e.Message}");
            return null;
        }
    }

    /// <summary>Sends later, on its own: the payout's answer does not wait for its callbacks.</summary>
    public void SendInBackground(SandboxPayout payout, TimeSpan after, int copies) =>
        _ = Task.Run(async () =>
        {
            await Task.Delay(after, clock);
            await Task.WhenAll(Enumerable.Range(0, copies).Select(_ => SendAsync(payout, CallbackVariant.AsSent)));
        });
}
