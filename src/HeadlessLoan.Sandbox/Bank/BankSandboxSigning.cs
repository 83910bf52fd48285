using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using WireMock;
using WireMock.ResponseBuilders;
using WireMock.Types;
using WireMock.Util;

namespace HeadlessLoan.Sandbox.Bank;

/// <summary>
/// Both sides of the bank's HMAC-SHA256 signatures, as the sandbox plays the bank: our requests checked under the
/// merchant's API secret, every answer and callback signed under its callback secret (docs/sandbox.md, Bank).
/// </summary>
internal sealed class BankSandboxSigning(BankSandboxSettings settings, TimeProvider clock)
{
    public string MerchantId => settings.MerchantId;

    private static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    /// <summary>Why the request's signature is refused, or null when it holds.</summary>
    public string? RequestRefusal(IRequestMessage request)
    {
        string? Header(string name) => request.Headers is { } headers && headers.TryGetValue(name, out var values) ? values.FirstOrDefault() : null;
        var merchant = Header("X-Bank-Merchant");
        var timestamp = Header("X-Bank-Timestamp");
        var nonce = Header("X-Bank-Nonce");
        var signature = Header("X-Bank-Signature");
        if (string.IsNullOrEmpty(merchant) || string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(nonce) || string.IsNullOrEmpty(signature))
        {
            return "X-Bank-Merchant, X-Bank-Timestamp, X-Bank-Nonce and X-Bank-Signature are all required";
        }

        if (merchant != MerchantId)
        {
            return $"merchant {merchant} is not known here (the sandbox's is {MerchantId})";
        }

        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || Math.Abs(clock.GetUtcNow().ToUnixTimeSeconds() - seconds) > Tolerance.TotalSeconds)
        {
            return "X-Bank-Timestamp is not Unix seconds within 5 minutes";
        }

        var query = string.IsNullOrEmpty(request.RawQuery) ? "" : request.RawQuery.StartsWith('?') ? request.RawQuery : "?" + request.RawQuery;
        var head = Encoding.UTF8.GetBytes($"{request.Method}\n{request.Path}{query}\n{timestamp}\n{nonce}\n");
        byte[] message = [.. head, .. Body(request), (byte)'\n'];
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(settings.ApiSecret), message);
        var presented = new byte[signature.Length];
        return Convert.TryFromBase64String(signature, presented, out var length)
               && CryptographicOperations.FixedTimeEquals(expected, presented.AsSpan(0, length))
            ? null
            : "X-Bank-Signature is not HMAC-SHA256 of the request under the merchant's API secret";
    }

    /// <summary>The request's body as received.</summary>
    public static byte[] Body(IRequestMessage request) =>
        request.BodyData?.BodyAsBytes ?? Encoding.UTF8.GetBytes(request.Body ?? "");

    /// <summary>A signed JSON answer.</summary>
    public IResponseMessage Answer(int status, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var headers = SignatureHeaders(bytes, clock.GetUtcNow());
        headers["Content-Type"] = new WireMockList<string>("application/json; charset=utf-8");
        return new ResponseMessage
        {
            StatusCode = status,
            Headers = headers,
            BodyData = new BodyData { BodyAsBytes = bytes, DetectedBodyType = BodyType.Bytes },
        };
    }

    /// <summary><c>X-Bank-Timestamp</c>, <c>X-Bank-Nonce</c> and <c>X-Bank-Signature</c> over <c>TIMESTAMP\nNONCE\nBODY\n</c>.</summary>
    public Dictionary<string, WireMockList<string>> SignatureHeaders(byte[] body, DateTimeOffset at)
    {
        var timestamp = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var nonce = RandomNumberGenerator.GetString("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", 32);
        byte[] message = [.. Encoding.UTF8.GetBytes($"{timestamp}\n{nonce}\n"), .. body, (byte)'\n'];
        return new Dictionary<string, WireMockList<string>>(StringComparer.OrdinalIgnoreCase)
        {
            ["X-Bank-Timestamp"] = new(timestamp),
            ["X-Bank-Nonce"] = new(nonce),
            ["X-Bank-Signature"] = new(Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(settings.CallbackSecret), message))),
        };
    }
}
