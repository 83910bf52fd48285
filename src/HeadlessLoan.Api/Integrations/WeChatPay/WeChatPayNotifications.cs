using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace HeadlessLoan.Api.Integrations.WeChatPay;

/// <summary>
/// Reads a notification WeChat Pay posted to <see cref="WeChatPayOptions.NotifyUrl"/>: the signature first, over the
/// raw body bytes (decrypting is not authentication), then the resource, decrypted with the APIv3 key. The endpoint
/// that receives notifications hands over the body as read and the headers, and answers a refusal with
/// <see cref="WeChatPayNotificationResult.StatusCode"/> and <see cref="WeChatPayNotificationResult.FailBody"/>.
/// </summary>
public sealed class WeChatPayNotificationVerifier(WeChatPayKeyRing keys, TimeProvider clock)
{
    public const string Algorithm = "AEAD_AES_256_GCM";

    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = false };

    public WeChatPayNotificationResult Verify(ReadOnlySpan<byte> body, WeChatPaySignatureHeaders headers)
    {
        var current = keys.Current;
        if (WeChatPaySignatures.Check(current, headers, body, clock.GetUtcNow()) is { } refused)
        {
            return WeChatPayNotificationResult.Refused(refused);
        }

        WeChatPayEvent? notification;
        try
        {
            notification = JsonSerializer.Deserialize<WeChatPayEvent>(body, Json);
        }
        catch (JsonException)
        {
            return WeChatPayNotificationResult.Refused(WeChatPayRefusal.BodyMalformed);
        }

        if (notification?.Resource is not { Algorithm: Algorithm, Ciphertext: { } ciphertext, Nonce: { } nonce } resource
            || resource.OriginalType is not (TransactionResource.OriginalType or RefundResource.OriginalType))
        {
            return WeChatPayNotificationResult.Refused(WeChatPayRefusal.BodyMalformed);
        }

        if (Decrypt(current.ApiV3Key, nonce, resource.AssociatedData ?? "", ciphertext) is not { } plaintext)
        {
            return WeChatPayNotificationResult.Refused(WeChatPayRefusal.DecryptionFailed);
        }

        try
        {
            return resource.OriginalType == TransactionResource.OriginalType
                ? new WeChatPayNotificationResult { Event = notification, Transaction = JsonSerializer.Deserialize<TransactionResource>(plaintext, Json) }
                : new WeChatPayNotificationResult { Event = notification, Refund = JsonSerializer.Deserialize<RefundResource>(plaintext, Json) };
        }
        catch (JsonException)
        {
            return WeChatPayNotificationResult.Refused(WeChatPayRefusal.BodyMalformed);
        }
    }

    /// <summary>
    /// AEAD_AES_256_GCM as WeChat Pay uses it: the APIv3 key, <paramref name="nonce"/> (12 characters) as the IV,
    /// <paramref name="associatedData"/> authenticated, <paramref name="ciphertextBase64"/> ending in the 16-byte tag.
    /// Null when it does not decrypt.
    /// </summary>
    public static byte[]? Decrypt(byte[] apiV3Key, string nonce, string associatedData, string ciphertextBase64)
    {
        ArgumentNullException.ThrowIfNull(apiV3Key);
        ArgumentNullException.ThrowIfNull(nonce);
        ArgumentNullException.ThrowIfNull(associatedData);
        ArgumentNullException.ThrowIfNull(ciphertextBase64);
        byte[] sealedBytes;
        try
        {
            sealedBytes = Convert.FromBase64String(ciphertextBase64);
        }
        catch (FormatException)
        {
            return null;
        }

        return Decrypt(apiV3Key, Encoding.UTF8.GetBytes(nonce), Encoding.UTF8.GetBytes(associatedData), sealedBytes);
    }

    /// <summary>AES-256-GCM over raw bytes: <paramref name="sealedBytes"/> is the ciphertext followed by its 16-byte tag.</summary>
    public static byte[]? Decrypt(byte[] key, byte[] nonce, byte[] associatedData, byte[] sealedBytes)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(nonce);
        ArgumentNullException.ThrowIfNull(sealedBytes);
        const int tagLength = 16;
        if (key.Length != WeChatPayKeys.ApiV3KeyLength || nonce.Length != 12 || sealedBytes.Length < tagLength)
        {
            return null;
        }

        var plaintext = new byte[sealedBytes.Length - tagLength];
        try
        {
            using var aes = new AesGcm(key, tagLength);
            aes.Decrypt(nonce, sealedBytes.AsSpan(0, plaintext.Length), sealedBytes.AsSpan(plaintext.Length), plaintext, associatedData);
            return plaintext;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}

/// <summary>
/// A notification taken (its event, and the decrypted transaction or refund) or refused. A refusal is answered with
/// <see cref="StatusCode"/> and <see cref="FailBody"/>, so WeChat Pay sends it again later.
/// </summary>
public sealed record WeChatPayNotificationResult
{
    public WeChatPayRefusal? Refusal { get; init; }

    public WeChatPayEvent? Event { get; init; }

    /// <summary>The decrypted payment, for <c>original_type</c> <c>transaction</c> (events <c>TRANSACTION.*</c>).</summary>
    public TransactionResource? Transaction { get; init; }

    /// <summary>The decrypted refund, for <c>original_type</c> <c>refund</c> (events <c>REFUND.*</c>).</summary>
    public RefundResource? Refund { get; init; }

    public bool IsAccepted => Refusal is null;

    /// <summary>401 for a signature that does not hold, 400 for a body we cannot read: a 4xx either way, as WeChat Pay requires.</summary>
    public int StatusCode => Refusal switch
    {
        null => 204,
        WeChatPayRefusal.BodyMalformed or WeChatPayRefusal.DecryptionFailed => 400,
        _ => 401,
    };

    /// <summary>The answer WeChat Pay expects with a refusal: <c>{"code":"FAIL","message":…}</c>.</summary>
    public WeChatPayFailAnswer? FailBody => Refusal is { } refusal ? new WeChatPayFailAnswer("FAIL", Message(refusal)) : null;

    public static WeChatPayNotificationResult Refused(WeChatPayRefusal refusal) => new() { Refusal = refusal };

    private static string Message(WeChatPayRefusal refusal) => refusal switch
    {
        WeChatPayRefusal.SignatureMissing => "missing Wechatpay signature headers",
        WeChatPayRefusal.TimestampOutsideWindow => "Wechatpay-Timestamp is not within 5 minutes of our clock",
        WeChatPayRefusal.SignatureProbe => "signature not valid",
        WeChatPayRefusal.UnknownSerial => "Wechatpay-Serial names no key we know",
        WeChatPayRefusal.SignatureInvalid => "signature not valid",
        WeChatPayRefusal.DecryptionFailed => "resource could not be decrypted",
        _ => "notification body not understood",
    };
}

/// <summary>What a notification endpoint answers WeChat Pay when it does not take the notification.</summary>
public sealed record WeChatPayFailAnswer(
    [property: System.Text.Json.Serialization.JsonPropertyName("code")] string Code,
    [property: System.Text.Json.Serialization.JsonPropertyName("message")] string Message);
