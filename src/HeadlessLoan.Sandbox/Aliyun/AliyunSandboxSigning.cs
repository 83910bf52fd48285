using System.Collections.Concurrent;
using System.Collections.Specialized;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Web;
using WireMock;

namespace HeadlessLoan.Sandbox.Aliyun;

/// <summary>A request's parameters (query and form body together), or why Aliyun would refuse it before reading them.</summary>
internal sealed record AliyunRequest(IReadOnlyDictionary<string, string> Parameters)
{
    public string? this[string name] => Parameters.TryGetValue(name, out var v) ? v : null;
}

/// <summary>
/// Checks requests the way Aliyun's RPC gateway does (signature version 1.0, docs/sandbox.md): the AccessKeyId known, the
/// HMAC-SHA1 signature under <c>secret&amp;</c> over <c>METHOD&amp;%2F&amp;encode(sorted, encoded parameters)</c>, the
/// timestamp within 15 minutes, a nonce never seen before.
/// </summary>
internal sealed class AliyunSandboxSigning(AliyunSandboxSettings settings)
{
    private static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(15);
    private const int MaxRememberedNonces = 100_000;

    private readonly ConcurrentDictionary<string, byte> _nonces = new(StringComparer.Ordinal);

    /// <summary>The parameters, from the query and, for a form POST, the body.</summary>
    public static AliyunRequest Read(IRequestMessage request)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        Add(HttpUtility.ParseQueryString(request.RawQuery ?? ""), parameters);
        var body = request.Body ?? (request.BodyAsBytes is { } bytes ? Encoding.UTF8.GetString(bytes) : null);
        if (!string.IsNullOrEmpty(body) && request.Method == "POST")
        {
            Add(HttpUtility.ParseQueryString(body), parameters);
        }

        return new AliyunRequest(parameters);
    }

    private static void Add(NameValueCollection values, Dictionary<string, string> parameters)
    {
        foreach (var name in values.AllKeys)
        {
            if (name is not null)
            {
                parameters[name] = values[name] ?? "";
            }
        }
    }

    /// <summary>The HTTP status, Code and Message Aliyun refuses the request with, or null when its signature holds.</summary>
    public (int Status, string Code, string Message)? Refusal(string method, AliyunRequest request)
    {
        string[] common = ["AccessKeyId", "Signature", "SignatureMethod", "SignatureVersion", "SignatureNonce", "Timestamp"];
        if (common.FirstOrDefault(name => string.IsNullOrEmpty(request[name])) is { } missing)
        {
            return (400, "Missing" + missing, $"{missing} is mandatory for this action.");
        }

        if (request["AccessKeyId"] != settings.AccessKeyId)
        {
            return (404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.");
        }

        if (request["SignatureMethod"] != "HMAC-SHA1" || request["SignatureVersion"] != "1.0")
        {
            return (400, "InvalidParameter", "SignatureMethod must be HMAC-SHA1 and SignatureVersion 1.0.");
        }

        if (!DateTimeOffset.TryParseExact(request["Timestamp"], "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal, out var at))
        {
            return (400, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted.");
        }

        if ((settings.Clock.GetUtcNow() - at).Duration() > Tolerance)
        {
            return (400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.");
        }

        var unsigned = request.Parameters.Where(p => p.Key != "Signature");
        var expected = Encoding.ASCII.GetBytes(Sign(method, unsigned, settings.AccessKeySecret));
        if (!CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(request["Signature"]!)))
        {
            return (400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation.");
        }

        if (_nonces.Count >= MaxRememberedNonces)
        {
            _nonces.Clear();
        }

        return _nonces.TryAdd(request["SignatureNonce"]!, 0)
            ? null
            : (400, "SignatureNonceUsed", "Specified signature nonce was used already.");
    }

    private static string Sign(string method, IEnumerable<KeyValuePair<string, string>> parameters, string secret)
    {
        var canonical = string.Join('&', parameters.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));
        var stringToSign = method + "&%2F&" + Uri.EscapeDataString(canonical);
        // HMAC-SHA1 is what Aliyun's signature version 1.0 is defined with.
#pragma warning disable CA5350
        return Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret + "&"), Encoding.UTF8.GetBytes(stringToSign)));
#pragma warning restore CA5350
    }
}
