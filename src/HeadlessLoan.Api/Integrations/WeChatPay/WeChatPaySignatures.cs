using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace HeadlessLoan.Api.Integrations.WeChatPay;

/// <summary>
/// WeChat Pay v3's signatures, SHA256withRSA (PKCS#1 v1.5) in Base64: ours over <c>METHOD\nPATH_AND_QUERY\nTIMESTAMP\nNONCE\nBODY\n</c>
/// in the <c>Authorization</c> header; theirs over <c>TIMESTAMP\nNONCE\nBODY\n</c>, BODY being the bytes as received.
/// </summary>
public static class WeChatPaySignatures
{
    public const string Scheme = "WECHATPAY2-SHA256-RSA2048";

    /// <summary>WeChat Pay's deliberate probe: a signature with this prefix must never verify.</summary>
    public const string SignatureProbePrefix = "WECHATPAY/SIGNTEST/";

    /// <summary>How far WeChat Pay's timestamp may be from our clock, either way.</summary>
    public static readonly TimeSpan TimestampTolerance = TimeSpan.FromMinutes(5);

    public static string RequestMessage(string method, string pathAndQuery, string timestamp, string nonce, string body) =>
        $"{method}\n{pathAndQuery}\n{timestamp}\n{nonce}\n{body}\n";

    public static string Sign(RSA key, string message)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Convert.ToBase64String(key.SignData(Encoding.UTF8.GetBytes(message), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    /// <summary>The <c>Authorization</c> header of one request, with a fresh nonce and the current time.</summary>
    public static AuthenticationHeaderValue Authorization(
        WeChatPayKeys keys, TimeProvider clock, string method, string pathAndQuery, string body)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(clock);
        var timestamp = UnixSeconds(clock);
        var nonce = NewNonce();
        var signature = Sign(keys.MerchantKey, RequestMessage(method, pathAndQuery, timestamp, nonce, body));
        var o = keys.Options;
        return new AuthenticationHeaderValue(Scheme,
            $"mchid=\"{o.MchId}\",nonce_str=\"{nonce}\",timestamp=\"{timestamp}\",serial_no=\"{o.MerchantSerialNo}\",signature=\"{signature}\"");
    }

    /// <summary>
    /// Why WeChat Pay's signature over <paramref name="body"/> does not hold, or null when it does: headers missing,
    /// the timestamp outside ±5 minutes, the probe signature, a serial we have no key for, or a signature that fails.
    /// </summary>
    public static WeChatPayRefusal? Check(WeChatPayKeys keys, WeChatPaySignatureHeaders headers, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(headers);
        if (headers is not { Timestamp: { Length: > 0 } timestamp, Nonce: { Length: > 0 } nonce, Signature: { Length: > 0 } signature, Serial: { Length: > 0 } serial })
        {
            return WeChatPayRefusal.SignatureMissing;
        }

        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds()
            || (now - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() >= TimestampTolerance)
        {
            return WeChatPayRefusal.TimestampOutsideWindow;
        }

        if (signature.StartsWith(SignatureProbePrefix, StringComparison.Ordinal))
        {
            return WeChatPayRefusal.SignatureProbe;
        }

        if (keys.VerifierFor(serial) is not { } verifier)
        {
            return WeChatPayRefusal.UnknownSerial;
        }

        var signatureBytes = new byte[signature.Length];
        if (!Convert.TryFromBase64String(signature, signatureBytes, out var length))
        {
            return WeChatPayRefusal.SignatureInvalid;
        }

        var message = AnswerMessage(timestamp, nonce, body);
        return verifier.VerifyData(message, signatureBytes.AsSpan(0, length), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            ? null
            : WeChatPayRefusal.SignatureInvalid;
    }

    /// <summary><c>TIMESTAMP\nNONCE\nBODY\n</c> with BODY's bytes as they are.</summary>
    public static byte[] AnswerMessage(string timestamp, string nonce, ReadOnlySpan<byte> body)
    {
        var head = Encoding.UTF8.GetBytes($"{timestamp}\n{nonce}\n");
        var message = new byte[head.Length + body.Length + 1];
        head.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(head.Length));
        message[^1] = (byte)'\n';
        return message;
    }

    /// <summary>32 random characters from [0-9A-Z], as WeChat Pay's own examples.</summary>
    public static string NewNonce() => RandomNumberGenerator.GetString("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", 32);

    public static string UnixSeconds(TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        return clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
    }
}

/// <summary>The four headers WeChat Pay signs its answers and notifications with.</summary>
public sealed record WeChatPaySignatureHeaders(string? Timestamp, string? Nonce, string? Signature, string? Serial)
{
    public const string TimestampHeader = "Wechatpay-Timestamp";
    public const string NonceHeader = "Wechatpay-Nonce";
    public const string SignatureHeader = "Wechatpay-Signature";
    public const string SerialHeader = "Wechatpay-Serial";

    public static WeChatPaySignatureHeaders From(IHeaderDictionary headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        return new(headers[TimestampHeader].FirstOrDefault(), headers[NonceHeader].FirstOrDefault(),
            headers[SignatureHeader].FirstOrDefault(), headers[SerialHeader].FirstOrDefault());
    }

    public static WeChatPaySignatureHeaders From(HttpResponseHeaders headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        return new(First(headers, TimestampHeader), First(headers, NonceHeader), First(headers, SignatureHeader), First(headers, SerialHeader));
    }

    private static string? First(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}

/// <summary>Why an answer or a notification from WeChat Pay is not taken.</summary>
public enum WeChatPayRefusal
{
    /// <summary>A <c>Wechatpay-*</c> signature header is missing or empty.</summary>
    SignatureMissing,

    /// <summary><c>Wechatpay-Timestamp</c> is not a number or is 5 minutes or more from our clock.</summary>
    TimestampOutsideWindow,

    /// <summary>The signature starts <c>WECHATPAY/SIGNTEST/</c>: WeChat Pay checking that we verify.</summary>
    SignatureProbe,

    /// <summary><c>Wechatpay-Serial</c> names no platform certificate and no public key we are configured with.</summary>
    UnknownSerial,

    /// <summary>The signature does not verify over the body as received.</summary>
    SignatureInvalid,

    /// <summary>The notification's body is not the JSON WeChat Pay sends, or names an algorithm or resource we do not know.</summary>
    BodyMalformed,

    /// <summary>The resource does not decrypt with our APIv3 key (another key, or the ciphertext or its tag altered).</summary>
    DecryptionFailed,
}
