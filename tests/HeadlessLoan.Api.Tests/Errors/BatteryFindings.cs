using System.Text.Json;
using HeadlessLoan.Api.Tests.Infrastructure;

namespace HeadlessLoan.Api.Tests.Errors;

/// <summary>
/// What a batch of battery cases found wrong: an answer of 500 or more, a refusal that is not an RFC 9457 problem with a
/// code and a trace id, an answer the contract does not declare, or an acceptance where a refusal was due. One test
/// runs many cases and lists every finding at the end.
/// </summary>
public sealed class BatteryFindings
{
    private readonly List<string> _found = [];

    /// <summary>Sends one case and records what is wrong with its answer; <paramref name="refused"/>: it must be a 4xx.</summary>
    public async Task<HttpResponseMessage?> CheckAsync(string what, Func<Task<HttpResponseMessage>> send, bool refused = false)
    {
        ArgumentNullException.ThrowIfNull(send);
        HttpResponseMessage response;
        try
        {
            response = await send();
        }
        catch (ContractViolationException e)
        {
            _found.Add($"{what}: {e.Message}");
            return null;
        }

        var status = (int)response.StatusCode;
        var body = await response.Content.ReadAsStringAsync();
        if (status >= 500)
        {
            _found.Add($"{what}: {status} {Shorten(body)}");
        }
        else if (status >= 400 && ProblemFault(response, body) is { } fault)
        {
            _found.Add($"{what}: {status} is not a problem ({fault}): {Shorten(body)}");
        }
        else if (refused && status < 400)
        {
            _found.Add($"{what}: accepted with {status}, should be refused: {Shorten(body)}");
        }

        return response;
    }

    /// <summary>Records what a case's own expectation found wrong.</summary>
    public void Add(string finding) => _found.Add(finding);

    public void AssertNone() => Assert.True(_found.Count == 0, $"{_found.Count} case(s) answered wrongly:\n" + string.Join("\n", _found));

    private static string? ProblemFault(HttpResponseMessage response, string body)
    {
        if (response.Content.Headers.ContentType?.MediaType != TestHttp.ProblemMediaType)
        {
            return $"media type {response.Content.Headers.ContentType?.MediaType ?? "none"}";
        }

        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            return root.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String
                && root.TryGetProperty("traceId", out var trace) && trace.ValueKind == JsonValueKind.String
                ? null
                : "no code or traceId";
        }
        catch (JsonException)
        {
            return "not JSON";
        }
    }

    private static string Shorten(string body) => body.Length <= 300 ? body : body[..300] + "…";
}
