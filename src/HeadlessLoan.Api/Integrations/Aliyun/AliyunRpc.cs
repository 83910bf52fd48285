using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HeadlessLoan.Api.Platform.Http;

namespace HeadlessLoan.Api.Integrations.Aliyun;

/// <summary>
/// Aliyun's RPC style of API (signature version 1.0): every parameter, the common ones included, is signed with
/// HMAC-SHA1 under <c>AccessKeySecret&amp;</c> over <c>METHOD&amp;%2F&amp;encode(canonical query)</c>, where the canonical query is
/// the parameters sorted by name, each name and value percent-encoded (RFC 3986: only A–Z a–z 0–9 - _ . ~ stay as they
/// are, a space is %20). Requests are POSTed as a form, which keeps phone numbers out of URLs and access logs.
/// </summary>
public static class AliyunRpc
{
    /// <summary>The RFC 3986 percent-encoding Aliyun signs with (uppercase hex; a space is %20, never +).</summary>
    public static string PercentEncode(string value) => Uri.EscapeDataString(value);

    /// <summary>The parameters as Aliyun canonicalises them: sorted by name (ordinal), <c>name=value</c> encoded and joined by &amp;.</summary>
    public static string CanonicalQuery(IEnumerable<KeyValuePair<string, string>> parameters) =>
        string.Join('&', parameters.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{PercentEncode(p.Key)}={PercentEncode(p.Value)}"));

    /// <summary>The Signature parameter for a request of <paramref name="method"/> with <paramref name="parameters"/> (Signature itself excluded).</summary>
    public static string Sign(string method, IEnumerable<KeyValuePair<string, string>> parameters, string accessKeySecret)
    {
        ArgumentNullException.ThrowIfNull(accessKeySecret);
        var stringToSign = $"{method}&{PercentEncode("/")}&{PercentEncode(CanonicalQuery(parameters))}";
        // HMAC-SHA1 is what Aliyun's signature version 1.0 is defined with; its weakness as a hash does not make the HMAC forgeable.
#pragma warning disable CA5350
        return Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(accessKeySecret + "&"), Encoding.UTF8.GetBytes(stringToSign)));
#pragma warning restore CA5350
    }

    /// <summary>The common parameters and <paramref name="parameters"/>, signed: what one request sends.</summary>
    public static Dictionary<string, string> Signed(
        string action, string version, IReadOnlyDictionary<string, string> parameters, AliyunOptions options, DateTimeOffset now, string method = "POST")
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(options);
        var all = new Dictionary<string, string>(parameters, StringComparer.Ordinal)
        {
            ["Action"] = action,
            ["Version"] = version,
            ["Format"] = "JSON",
            ["RegionId"] = options.RegionId,
            ["AccessKeyId"] = options.AccessKeyId,
            ["SignatureMethod"] = "HMAC-SHA1",
            ["SignatureVersion"] = "1.0",
            ["SignatureNonce"] = Guid.NewGuid().ToString("N"),
            ["Timestamp"] = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        };
        all["Signature"] = Sign(method, all, options.AccessKeySecret);
        return all;
    }
}

/// <summary>An answer Aliyun gave about the request: its Code and Message, and the whole JSON for the action's own fields.</summary>
internal sealed record AliyunAnswer(string Code, string Message, JsonElement Body)
{
    public bool IsOk => Code == AliyunCodes.Ok;

    public string? String(string name) => Body.TryGetProperty(name, out var v) ? v.ValueKind switch
    {
        JsonValueKind.String => v.GetString(),
        JsonValueKind.Number => v.GetRawText(),
        _ => null,
    } : null;
}

/// <summary>
/// One RPC call over HTTP. A send (<see cref="SendAsync"/>) is tried once, by the pipeline too: what fails after it may
/// have reached Aliyun is <see cref="AliyunUnavailableException"/>, never a second message. A query is tried up to three
/// times, each signed afresh (Aliyun refuses a nonce it has seen), with the options' pause on the injected clock between.
/// </summary>
internal sealed class AliyunRpcTransport(HttpClient http, AliyunOptions options, TimeProvider clock)
{
    private const int QueryAttempts = 3;

    /// <summary>A send, tried once: Aliyun's Code and Message, and the field <paramref name="idName"/> (BizId, CallId) when it took it.</summary>
    public async Task<(string Code, string Message, string? Id)> SendAsync(
        string baseUrl, string version, string action, IReadOnlyDictionary<string, string> parameters, string idName, CancellationToken ct)
    {
        var answer = await CallAsync(baseUrl, version, action, parameters, idempotent: false, ct);
        return (answer.Code, answer.Message, answer.IsOk ? answer.String(idName) : null);
    }

    /// <summary>A query, retried: Aliyun's OK answer, or <see cref="AliyunRefusedException"/> with its refusal.</summary>
    public async Task<AliyunAnswer> QueryAsync(
        string baseUrl, string version, string action, IReadOnlyDictionary<string, string> parameters, CancellationToken ct)
    {
        var answer = await CallAsync(baseUrl, version, action, parameters, idempotent: true, ct);
        return answer.IsOk ? answer : throw new AliyunRefusedException(answer.Code, answer.Message);
    }

    private async Task<AliyunAnswer> CallAsync(
        string baseUrl, string version, string action, IReadOnlyDictionary<string, string> parameters, bool idempotent, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await CallOnceAsync(baseUrl, version, action, parameters, ct);
            }
            catch (AliyunUnavailableException) when (idempotent && attempt < QueryAttempts)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(options.RetryDelayMilliseconds), clock, ct);
            }
        }
    }

    private async Task<AliyunAnswer> CallOnceAsync(
        string baseUrl, string version, string action, IReadOnlyDictionary<string, string> parameters, CancellationToken ct)
    {
        var endpoint = new Uri(baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/", UriKind.Absolute);
        using var message = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = new FormUrlEncodedContent(AliyunRpc.Signed(action, version, parameters, options, clock.GetUtcNow())),
        };
        // The pipeline would resend this very message, nonce and all; the query loop above signs a fresh one instead.
        message.NotRetried();
        message.Headers.Accept.ParseAdd("application/json");
        return await UpstreamHttp.SendAsync(http, message, (answer, token) => ReadAsync(answer, action, token),
            (what, e) => new AliyunUnavailableException($"Aliyun {action} {what}.", e), ct);
    }

    private static async Task<AliyunAnswer> ReadAsync(HttpResponseMessage answer, string action, CancellationToken ct)
    {
        var status = (int)answer.StatusCode;
        var bytes = await answer.Content.ReadAsByteArrayAsync(ct);
        if (status >= 500)
        {
            throw new AliyunUnavailableException($"Aliyun {action} answered HTTP {status.ToString(CultureInfo.InvariantCulture)}.", code: Code(bytes));
        }

        JsonElement body;
        try
        {
            using var document = JsonDocument.Parse(bytes);
            body = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new AliyunUnavailableException($"Aliyun {action} answered HTTP {status.ToString(CultureInfo.InvariantCulture)} with something that is not JSON.", e);
        }

        var code = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("Code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
        if (string.IsNullOrEmpty(code))
        {
            throw new AliyunUnavailableException($"Aliyun {action} answered HTTP {status.ToString(CultureInfo.InvariantCulture)} without a Code.");
        }

        if (AliyunCodes.IsTransient(code))
        {
            throw new AliyunUnavailableException($"Aliyun {action} answered {code}: only time fixes it.", code: code);
        }

        var text = body.TryGetProperty("Message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() ?? "" : "";
        return new AliyunAnswer(code, text, body);
    }

    private static string? Code(byte[] bytes)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("Code", out var c) ? c.ToString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
