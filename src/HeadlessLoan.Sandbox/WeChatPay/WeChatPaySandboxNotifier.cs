using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace HeadlessLoan.Sandbox.WeChatPay;

/// <summary>How a notification is sent: as WeChat Pay sends it, or spoilt the ways a receiver must refuse.</summary>
internal enum NotificationVariant
{
    AsSent,
    BadSignature,
    StaleTimestamp,
    SignatureProbe,
    UnknownSerial,
}

/// <summary>
/// Posts notifications to an order's (or a refund's) notify_url: the resource encrypted with the APIv3 key
/// (AEAD_AES_256_GCM), the body signed like every answer. Failures are written to the console, never retried: a
/// client that misses one queries the order, or asks the sandbox to send it again.
/// </summary>
internal sealed class WeChatPaySandboxNotifier(WeChatPaySandboxSigning signing, TimeProvider clock)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>A notification body: the same event id for every copy of one notification, as WeChat Pay resends it.</summary>
    public static byte[] Body(string apiV3Key, string eventId, string eventType, string summary, string originalType, string resourceJson, DateTimeOffset at)
    {
        var nonce = RandomNumberGenerator.GetString("0123456789abcdefghijklmnopqrstuvwxyz", 12);
        var plaintext = Encoding.UTF8.GetBytes(resourceJson);
        var sealedBytes = new byte[plaintext.Length + 16];
        using (var aes = new AesGcm(Encoding.UTF8.GetBytes(apiV3Key), 16))
        {
            aes.Encrypt(Encoding.UTF8.GetBytes(nonce), plaintext, sealedBytes.AsSpan(0, plaintext.Length),
                sealedBytes.AsSpan(plaintext.Length), Encoding.UTF8.GetBytes(originalType));
        }

        var body = new JsonObject
        {
            ["id"] = eventId,
            ["create_time"] = WeChatPaySandboxOrders.Rfc3339(at),
            ["resource_type"] = "encrypt-resource",
            ["event_type"] = eventType,
            ["summary"] = summary,
            ["resource"] = new JsonObject
            {
                ["original_type"] = originalType,
                ["algorithm"] = "AEAD_AES_256_GCM",
                ["ciphertext"] = Convert.ToBase64String(sealedBytes),
                ["associated_data"] = originalType,
                ["nonce"] = nonce,
            },
        };
        return Encoding.UTF8.GetBytes(body.ToJsonString());
    }

    /// <summary>Sends <paramref name="body"/> to <paramref name="url"/>; the receiver's HTTP status, or null when it could not be reached.</summary>
    public async Task<int?> SendAsync(string url, byte[] body, NotificationVariant variant, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        foreach (var (name, values) in Headers(body, variant))
        {
            request.Headers.TryAddWithoutValidation(name, values.ToArray());
        }

        try
        {
            using var response = await Http.SendAsync(request, ct);
            return (int)response.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or InvalidOperationException)
        {
            await Console.Error.WriteLineAsync($"wechatpay sandbox: notification to {url} failed: {e.Message}");
            return null;
        }
    }

    /// <summary>Sends later, on its own: the order's answer does not wait for the notification.</summary>
    public void SendInBackground(string url, byte[] body, TimeSpan delay, int copies) =>
        _ = Task.Run(async () =>
        {
            await Task.Delay(delay, clock);
            await Task.WhenAll(Enumerable.Range(0, copies).Select(_ => SendAsync(url, body, NotificationVariant.AsSent)));
        });

    private Dictionary<string, WireMock.Types.WireMockList<string>> Headers(byte[] body, NotificationVariant variant)
    {
        var signer = signing.NextNotificationSigner();
        switch (variant)
        {
            case NotificationVariant.BadSignature:
                // Signed over another body: one space more.
                return WeChatPaySandboxSigning.SignatureHeaders([.. body, (byte)' '], clock.GetUtcNow(), signer);
            case NotificationVariant.StaleTimestamp:
                return WeChatPaySandboxSigning.SignatureHeaders(body, clock.GetUtcNow().AddMinutes(-10), signer);
            case NotificationVariant.SignatureProbe:
                var probe = WeChatPaySandboxSigning.SignatureHeaders(body, clock.GetUtcNow(), signer);
                probe["Wechatpay-Signature"] = new("WECHATPAY/SIGNTEST/" + probe["Wechatpay-Signature"][0]);
                return probe;
            case NotificationVariant.UnknownSerial:
                var unknown = WeChatPaySandboxSigning.SignatureHeaders(body, clock.GetUtcNow(), signer);
                unknown["Wechatpay-Serial"] = new("00000000000000000000000000000000DEADBEEF");
                return unknown;
            default:
                return WeChatPaySandboxSigning.SignatureHeaders(body, clock.GetUtcNow(), signer);
        }
    }
}
