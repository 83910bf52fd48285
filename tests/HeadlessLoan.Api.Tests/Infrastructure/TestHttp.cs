using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace HeadlessLoan.Api.Tests.Infrastructure;

/// <summary>Small helpers for reading answers and building valid bodies.</summary>
public static class TestHttp
{
    public const string ProblemMediaType = "application/problem+json";

    /// <summary>POSTs <paramref name="body"/> as JSON under the <c>Idempotency-Key</c> <paramref name="key"/>.</summary>
    public static Task<HttpResponseMessage> PostWithKeyAsync(this HttpClient client, string path, object body, string key) =>
        client.SendWithKeyAsync(HttpMethod.Post, path, body, key);

    /// <summary>PUTs <paramref name="body"/> as JSON under the <c>Idempotency-Key</c> <paramref name="key"/>.</summary>
    public static Task<HttpResponseMessage> PutWithKeyAsync(this HttpClient client, string path, object body, string key) =>
        client.SendWithKeyAsync(HttpMethod.Put, path, body, key);

    private static async Task<HttpResponseMessage> SendWithKeyAsync(this HttpClient client, HttpMethod method, string path, object body, string key)
    {
        using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        return await client.SendAsync(request);
    }

    /// <summary>POSTs no body under the <c>Idempotency-Key</c> <paramref name="key"/>.</summary>
    public static async Task<HttpResponseMessage> PostWithoutBodyAsync(this HttpClient client, string path, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        return await client.SendAsync(request);
    }

    /// <summary>Sends a request as from <paramref name="from"/>, with a JSON body and extra headers when given.</summary>
    public static Task<HttpResponseMessage> SendFromAsync(
        this HttpClient client, HttpMethod method, string path, string from, object? body = null, IReadOnlyDictionary<string, string>? headers = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = body is null ? null : System.Net.Http.Json.JsonContent.Create(body) };
        request.Headers.Add(TestClientAddress.Header, from);
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.Add(name, value);
        }

        return client.SendAsync(request);
    }

    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response)
    {
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.Clone();
    }

    /// <summary>Asserts an RFC 9457 answer with the given status and code, carrying a trace id; returns its body.</summary>
    public static async Task<JsonElement> AssertProblemAsync(this HttpResponseMessage response, HttpStatusCode status, string? code = null)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status} but got {(int)response.StatusCode}: {text}");
        Assert.Equal(ProblemMediaType, response.Content.Headers.ContentType?.MediaType);
        using var doc = JsonDocument.Parse(text);
        var root = doc.RootElement.Clone();
        Assert.True(root.TryGetProperty("code", out var actualCode) && actualCode.ValueKind == JsonValueKind.String, $"No code in {text}");
        if (code is not null)
        {
            Assert.Equal(code, actualCode.GetString());
        }

        Assert.True(root.TryGetProperty("traceId", out var traceId) && !string.IsNullOrEmpty(traceId.GetString()), $"No traceId in {text}");
        return root;
    }

    /// <summary>The field names listed in a problem's <c>errors</c>.</summary>
    public static IReadOnlyList<string> ErrorFields(this JsonElement problem) =>
        problem.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object
            ? errors.EnumerateObject().Select(p => p.Name).ToList()
            : [];

    public static async Task AssertStatusAsync(this HttpResponseMessage response, HttpStatusCode status) =>
        Assert.True(status == response.StatusCode, $"Expected {(int)status} but got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");

    /// <summary>A product definition that passes every rule; tests change one thing at a time.</summary>
    public static Dictionary<string, object?> ValidProduct(string? name = null) => new()
    {
        ["name"] = name ?? "Product " + Guid.NewGuid().ToString("N")[..8],
        ["repaymentMethods"] = new[] { "equal_installment", "equal_principal" },
        ["annualRateMin"] = 0.05m,
        ["annualRateMax"] = 0.10m,
        ["amountMin"] = 100_000L,
        ["amountMax"] = 5_000_000L,
        ["termMinMonths"] = 3,
        ["termMaxMonths"] = 36,
        ["penaltyDailyRate"] = 0.0003m,
        ["ageMin"] = 22,
        ["ageMax"] = 55,
        ["autoApprovalLimit"] = 1_000_000L,
    };

    public static async Task<JsonElement> CreateProductAsync(this HttpClient admin, Dictionary<string, object?>? body = null)
    {
        var response = await admin.PostAsJsonAsync("/v1/products", body ?? ValidProduct());
        await response.AssertStatusAsync(HttpStatusCode.Created);
        return await response.ReadJsonAsync();
    }

    /// <summary>Creates a channel and issues it a key; returns the channel id and the secret key.</summary>
    public static async Task<(Guid ChannelId, Guid KeyId, string Key)> CreateChannelWithKeyAsync(this HttpClient admin, int? rateLimitPerMinute = null)
    {
        var channel = await admin.PostAsJsonAsync("/v1/channels", new { name = "Channel " + Guid.NewGuid().ToString("N")[..8], rateLimitPerMinute });
        await channel.AssertStatusAsync(HttpStatusCode.Created);
        var channelId = (await channel.ReadJsonAsync()).GetProperty("id").GetGuid();
        var key = await admin.PostAsync($"/v1/channels/{channelId}/api-keys", null);
        await key.AssertStatusAsync(HttpStatusCode.Created);
        var body = await key.ReadJsonAsync();
        return (channelId, body.GetProperty("id").GetGuid(), body.GetProperty("key").GetString()!);
    }
}
