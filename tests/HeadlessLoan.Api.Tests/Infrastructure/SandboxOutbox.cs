using System.Net.Http.Json;
using System.Text.Json;

namespace HeadlessLoan.Api.Tests.Infrastructure;

/// <summary>A message or call the sandbox accepted for a recipient: its channel and the fields it was filled with.</summary>
public sealed record SandboxMessage(string Channel, string Template, IReadOnlyDictionary<string, string> Fields, string? OutId);

public static class SandboxOutbox
{
    private static readonly HttpClient Http = new();

    /// <summary>Everything the sandbox's SMS, voice and WeChat accepted for <paramref name="to"/> (a phone number or an openid), oldest first.</summary>
    public static async Task<IReadOnlyList<SandboxMessage>> OutboxAsync(this SandboxHost sandbox, string to)
    {
        var items = await Http.GetFromJsonAsync<JsonElement>($"{sandbox.Url}/sandbox/outbox?to={Uri.EscapeDataString(to)}");
        return [.. items.EnumerateArray().Select(m => new SandboxMessage(m.GetProperty("channel").GetString()!, m.GetProperty("template").GetString()!,
            m.GetProperty("params").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!),
            m.TryGetProperty("out_id", out var outId) && outId.ValueKind == JsonValueKind.String ? outId.GetString() : null))];
    }
}
