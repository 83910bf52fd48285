using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace HeadlessLoan.Api.Integrations.Bank;

/// <summary>
/// The bank's signatures, HMAC-SHA256 in Base64, the key being a secret's UTF-8 bytes: ours under
/// <see cref="BankOptions.ApiSecret"/> over <c>METHOD\nPATH_AND_QUERY\nTIMESTAMP\nNONCE\nBODY\n</c>; the bank's, on its
/// answers and callbacks, under <see cref="BankOptions.CallbackSecret"/> over <c>TIMESTAMP\nNONCE\nBODY\n</c>. BODY is
/// the bytes as sent or received (empty for a GET).
/// </summary>
public static class BankSignatures
{
    /// <summary>How far a signed timestamp may be from our clock, either way.</summary>
    public static readonly TimeSpan TimestampTolerance = TimeSpan.FromMinutes(5);

    private const int SignatureBytes = 32;

    public static byte[] RequestMessage(string method, string pathAndQuery, string timestamp, string nonce, ReadOnlySpan<byte> body) =>
        Message($"{method}\n{pathAndQuery}\n{timestamp}\n{nonce}\n", body);

    public static byte[] AnswerMessage(string timestamp, string nonce, ReadOnlySpan<byte> body) => Message($"{timestamp}\n{nonce}\n", body);

    /// <summary>Base64 of HMAC-SHA256 over <paramref name="message"/> under <paramref name="secret"/>.</summary>
    public static string Sign(string secret, ReadOnlySpan<byte> message)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message));
    }

    /// <summary>Adds the four <c>X-Bank-*</c> headers of one request to <paramref name="headers"/>: a fresh nonce, the current time.</summary>
    public static void SignRequest(HttpRequestHeaders headers, BankOptions options, TimeProvider clock, string method, string pathAndQuery, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(options);
        var timestamp = UnixSeconds(clock);
        var nonce = NewNonce();
        headers.Add(BankSignatureHeaders.MerchantHeader, options.MerchantId);
        headers.Add(BankSignatureHeaders.TimestampHeader, timestamp);
        headers.Add(BankSignatureHeaders.NonceHeader, nonce);
        headers.Add(BankSignatureHeaders.SignatureHeader, Sign(options.ApiSecret, RequestMessage(method, pathAndQuery, timestamp, nonce, body)));
    }

    /// <summary>
    /// Why the bank's signature over <paramref name="body"/> does not hold, or null when it does: a header missing, the
    /// timestamp outside ±5 minutes, or a signature that is none of the callback secrets' in force.
    /// </summary>
    public static BankRefusal? Check(BankOptions options, BankSignatureHeaders headers, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(headers);
        if (headers is not { Timestamp: { Length: > 0 } timestamp, Nonce: { Length: > 0 } nonce, Signature: { Length: > 0 } signature })
        {
            return BankRefusal.SignatureMissing;
        }

        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds()
            || (now - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() > TimestampTolerance)
        {
            return BankRefusal.TimestampOutsideWindow;
        }

        var presented = new byte[signature.Length];
        if (!Convert.TryFromBase64String(signature, presented, out var length) || length != SignatureBytes)
        {
            return BankRefusal.SignatureInvalid;
        }

        var message = AnswerMessage(timestamp, nonce, body);
        foreach (var secret in options.CallbackSecrets())
        {
            // Compared in constant time, so the time taken tells nothing of how much of a forged signature was right.
            if (CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message), presented.AsSpan(0, length)))
            {
                return null;
            }
        }

        return BankRefusal.SignatureInvalid;
    }

    /// <summary>32 random characters from [0-9A-Z].</summary>
    public static string NewNonce() => RandomNumberGenerator.GetString("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", 32);

    public static string UnixSeconds(TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        return clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
    }

    private static byte[] Message(string head, ReadOnlySpan<byte> body)
    {
        var headBytes = Encoding.UTF8.GetBytes(head);
        var message = new byte[headBytes.Length + body.Length + 1];
        headBytes.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(headBytes.Length));
        message[^1] = (byte)'\n';
        return message;
    }
}

/// <summary>The three headers the bank signs its answers and callbacks with.</summary>
public sealed record BankSignatureHeaders(string? Timestamp, string? Nonce, string? Signature)
{
    /// <summary>Sent with our requests only: the merchant whose <see cref="BankOptions.ApiSecret"/> signed them.</summary>
    public const string MerchantHeader = "X-Bank-Merchant";
    public const string TimestampHeader = "X-Bank-Timestamp";
    public const string NonceHeader = "X-Bank-Nonce";
    public const string SignatureHeader = "X-Bank-Signature";

    public static BankSignatureHeaders From(IHeaderDictionary headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        return new(headers[TimestampHeader].FirstOrDefault(), headers[NonceHeader].FirstOrDefault(), headers[SignatureHeader].FirstOrDefault());
    }

    public static BankSignatureHeaders From(HttpResponseHeaders headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        return new(First(headers, TimestampHeader), First(headers, NonceHeader), First(headers, SignatureHeader));
    }

    private static string? First(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}

/// <summary>Why an answer or a callback is not taken as the bank's.</summary>
public enum BankRefusal
{
    /// <summary><c>X-Bank-Timestamp</c>, <c>X-Bank-Nonce</c> or <c>X-Bank-Signature</c> is missing or empty.</summary>
    SignatureMissing,

    /// <summary><c>X-Bank-Timestamp</c> is not Unix seconds within 5 minutes of our clock.</summary>
    TimestampOutsideWindow,

    /// <summary>The signature is not HMAC-SHA256 of the body as received under a callback secret in force.</summary>
    SignatureInvalid,

    /// <summary>Signed, but not a payout object we understand (no payout_no, a state we do not know).</summary>
    BodyMalformed,
}
