using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace HeadlessLoan.Sandbox.Tests;

/// <summary>
/// Aliyun's RPC signature version 1.0 as an integrator computes it, written here from docs/sandbox.md and Aliyun's
/// documentation, not taken from the sandbox: HMAC-SHA1 under <c>secret&amp;</c> over
/// <c>METHOD&amp;%2F&amp;encode(sorted, encoded parameters)</c>.
/// </summary>
public static class AliyunSigning
{
    public const string AccessKeyId = "LTAI_SANDBOX_TEST_ONLY_0001";
    public const string AccessKeySecret = "sandbox-test-only-aliyun-access-key-secret-0001";

    private static string Encode(string value) => Uri.EscapeDataString(value);

    public static string Sign(string method, IDictionary<string, string> parameters, string secret)
    {
        var canonical = string.Join('&', parameters.Where(p => p.Key != "Signature").OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => Encode(p.Key) + "=" + Encode(p.Value)));
#pragma warning disable CA5350 // Aliyun's signature is defined with HMAC-SHA1.
        return Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret + "&"), Encoding.UTF8.GetBytes($"{method}&%2F&{Encode(canonical)}")));
#pragma warning restore CA5350
    }

    /// <summary>The action's parameters with the common ones, signed (or spoilt by <paramref name="tamper"/> after signing).</summary>
    public static Dictionary<string, string> Signed(
        string method, string action, Dictionary<string, string> parameters, string accessKeyId = AccessKeyId, string secret = AccessKeySecret,
        string? nonce = null, DateTimeOffset? at = null)
    {
        var all = new Dictionary<string, string>(parameters, StringComparer.Ordinal)
        {
            ["Action"] = action,
            ["Version"] = "2017-05-25",
            ["Format"] = "JSON",
            ["AccessKeyId"] = accessKeyId,
            ["SignatureMethod"] = "HMAC-SHA1",
            ["SignatureVersion"] = "1.0",
            ["SignatureNonce"] = nonce ?? Guid.NewGuid().ToString(),
            ["Timestamp"] = (at ?? DateTimeOffset.UtcNow).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        };
        all["Signature"] = Sign(method, all, secret);
        return all;
    }

    public sealed record Answer(HttpStatusCode Status, JsonElement Body)
    {
        public string Code => Body.GetProperty(nameof(Code)).GetString()!;
    }

    /// <summary>POSTs the parameters as a form (or GETs them as the query) to <paramref name="path"/>.</summary>
    public static async Task<Answer> CallAsync(HttpClient client, string path, Dictionary<string, string> signed, bool get = false)
    {
        using var response = get
            ? await client.GetAsync(new Uri(path + "?" + string.Join('&', signed.Select(p => Encode(p.Key) + "=" + Encode(p.Value))), UriKind.Relative))
            : await client.PostAsync(new Uri(path, UriKind.Relative), new FormUrlEncodedContent(signed));
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return new Answer(response.StatusCode, document.RootElement.Clone());
    }

    /// <summary>A mainland mobile number ending in <paramref name="lastFour"/>, its middle random so tests never share one.</summary>
    public static string Number(string lastFour) => "13" + RandomNumberGenerator.GetString("0123456789", 5) + lastFour;
}
