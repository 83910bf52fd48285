using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace HeadlessLoan.Sandbox.Tests;

/// <summary>
/// The bank's signatures as a merchant computes them, written here from docs/sandbox.md and not taken from the sandbox:
/// HMAC-SHA256 in Base64, ours over <c>METHOD\nPATH_AND_QUERY\nTIMESTAMP\nNONCE\nBODY\n</c>, the bank's over
/// <c>TIMESTAMP\nNONCE\nBODY\n</c>.
/// </summary>
public static class BankSigning
{
    public const string MerchantId = "sandbox_merchant_0001";
    public const string ApiSecret = "sandbox-test-only-bank-api-secret-0001";
    public const string CallbackSecret = "sandbox-test-only-bank-callback-secret-0001";

    public static string Hmac(string secret, string message) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(message)));

    /// <summary>Whether <paramref name="signature"/> is the bank's over <paramref name="body"/> at <paramref name="timestamp"/> with <paramref name="nonce"/>.</summary>
    public static bool IsBanks(string? timestamp, string? nonce, string? signature, byte[] body)
    {
        if (timestamp is null || nonce is null || signature is null)
        {
            return false;
        }

        byte[] message = [.. Encoding.UTF8.GetBytes($"{timestamp}\n{nonce}\n"), .. body, (byte)'\n'];
        return signature == Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(CallbackSecret), message));
    }

    /// <summary>Asserts the signature holds and its timestamp is now (within a minute).</summary>
    public static void AssertBanks(string? timestamp, string? nonce, string? signature, byte[] body)
    {
        Assert.True(IsBanks(timestamp, nonce, signature, body), "not signed by the bank under its callback secret");
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.InRange(long.Parse(timestamp!, CultureInfo.InvariantCulture), now - 60, now + 1);
    }

    public static JsonElement Json(byte[] body)
    {
        using var document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }
}
