using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using WireMock;
using WireMock.ResponseBuilders;
using WireMock.Types;
using WireMock.Util;

namespace HeadlessLoan.Sandbox.WeChatPay;

/// <summary>
/// Both sides of WeChat Pay's signatures, as the sandbox plays WeChat Pay: our requests' <c>Authorization</c> checked
/// with the merchant certificate, and every answer and notification signed, alternately with the platform
/// certificate and the WeChat Pay public key, so a client meets both kinds of <c>Wechatpay-Serial</c>.
/// </summary>
internal sealed class WeChatPaySandboxSigning(WeChatPaySandboxKeys keys, TimeProvider clock)
{
    public WeChatPaySandboxKeys Keys => keys;

    private const string Scheme = "WECHATPAY2-SHA256-RSA2048 ";
    private static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    private long _answers;
    private long _notifications;

    /// <summary>Why the request's signature is refused, or null when it holds (and names <paramref name="mchId"/>).</summary>
    public string? RequestRefusal(IRequestMessage request, out string? mchId)
    {
        mchId = null;
        var header = request.Headers is { } headers && headers.TryGetValue("Authorization", out var values) ? values.FirstOrDefault() : null;
        if (header is null || !header.StartsWith(Scheme, StringComparison.Ordinal))
        {
            return "Authorization is missing or not WECHATPAY2-SHA256-RSA2048";
        }

        var fields = AuthorizationFields(header[Scheme.Length..]);
        if (!fields.TryGetValue("mchid", out mchId) || !fields.TryGetValue("nonce_str", out var nonce)
            || !fields.TryGetValue("timestamp", out var timestamp) || !fields.TryGetValue("serial_no", out var serial)
            || !fields.TryGetValue("signature", out var signature))
        {
            return "Authorization lacks mchid, nonce_str, timestamp, serial_no or signature";
        }

        if (!string.Equals(serial, keys.MerchantSerialNo, StringComparison.OrdinalIgnoreCase))
        {
            return $"serial_no {serial} is not the merchant certificate's ({keys.MerchantSerialNo})";
        }

        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || Math.Abs(clock.GetUtcNow().ToUnixTimeSeconds() - seconds) >= Tolerance.TotalSeconds)
        {
            return "timestamp is not within 5 minutes";
        }

        var query = string.IsNullOrEmpty(request.RawQuery) ? "" : request.RawQuery.StartsWith('?') ? request.RawQuery : "?" + request.RawQuery;
        var message = $"{request.Method}\n{request.Path}{query}\n{timestamp}\n{nonce}\n{BodyText(request)}\n";
        var bytes = new byte[signature.Length];
        return Convert.TryFromBase64String(signature, bytes, out var length)
               && keys.MerchantPublicKey.VerifyData(Encoding.UTF8.GetBytes(message), bytes.AsSpan(0, length), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            ? null
            : "signature does not verify with the merchant certificate";
    }

    public static string BodyText(IRequestMessage request) =>
        request.BodyData?.BodyAsBytes is { } bytes ? Encoding.UTF8.GetString(bytes) : request.Body ?? "";

    /// <summary>A signed answer: JSON <paramref name="body"/> (none for 204) and the four <c>Wechatpay-*</c> headers.</summary>
    public IResponseMessage Answer(int status, string? body)
    {
        var bytes = Encoding.UTF8.GetBytes(body ?? "");
        var headers = SignatureHeaders(bytes, clock.GetUtcNow(), Alternate(ref _answers));
        headers["Request-ID"] = new WireMockList<string>("sandbox-" + Guid.NewGuid().ToString("N"));
        var response = new ResponseMessage { StatusCode = status, Headers = headers };
        if (body is not null)
        {
            headers["Content-Type"] = new WireMockList<string>("application/json; charset=utf-8");
            response.BodyData = new BodyData { BodyAsBytes = bytes, DetectedBodyType = BodyType.Bytes };
        }

        return response;
    }


    public static Dictionary<string, WireMockList<string>> SignatureHeaders(byte[] body, DateTimeOffset at, (string Serial, RSA Key) signer)
    {
        var timestamp = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var nonce = RandomNumberGenerator.GetString("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", 32);
        var head = Encoding.UTF8.GetBytes($"{timestamp}\n{nonce}\n");
        var message = new byte[head.Length + body.Length + 1];
        head.CopyTo(message, 0);
        body.CopyTo(message, head.Length);
        message[^1] = (byte)'\n';
        var signature = Convert.ToBase64String(signer.Key.SignData(message, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        return new Dictionary<string, WireMockList<string>>(StringComparer.OrdinalIgnoreCase)
        {
            ["Wechatpay-Timestamp"] = new(timestamp),
            ["Wechatpay-Nonce"] = new(nonce),
            ["Wechatpay-Signature"] = new(signature),
            ["Wechatpay-Serial"] = new(signer.Serial),
        };
    }

    /// <summary>The key the next notification is signed with: the platform certificate's, the public key's, and so on.</summary>
    public (string Serial, RSA Key) NextNotificationSigner() => Alternate(ref _notifications);

    /// <summary>
    /// Platform certificate, public key, platform certificate, …: answers and notifications count apart, so answers one
    /// client asks for one after another alternate whatever notifications are sent meanwhile.
    /// </summary>
    private (string Serial, RSA Key) Alternate(ref long counter) =>
        Interlocked.Increment(ref counter) % 2 == 1 ? (keys.PlatformSerial, keys.PlatformKey) : (WeChatPaySandboxKeys.PublicKeyId, keys.PublicKeyKey);

    private static Dictionary<string, string> AuthorizationFields(string parameters)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in parameters.Split(','))
        {
            var pair = part.Split('=', 2);
            if (pair.Length == 2)
            {
                fields[pair[0].Trim()] = pair[1].Trim().Trim('"');
            }
        }

        return fields;
    }
}
