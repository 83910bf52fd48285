namespace HeadlessLoan.Api.Platform.Idempotency;

/// <summary>
/// The idempotency key a request runs under, as <see cref="IdempotencyMiddleware"/> claimed it: in Redis, or — while
/// Redis does not answer — by the key's row in MariaDB (<paramref name="HeldInDatabase"/>).
/// </summary>
/// <param name="Hash">What the request asked (method, path, query, body), hashed: a finished answer under the key is
/// this request's only if its hash is this.</param>
/// <param name="Token">The request's own claim on the key: only its holder extends or releases it, and the key's row
/// takes an answer over a live claim only from the claim's holder.</param>
public sealed record IdempotentRequest(string Scope, string Key, string Hash, string Token, bool HeldInDatabase = false)
{
    /// <summary>This request's record with <paramref name="response"/> as its answer.</summary>
    public IdempotentAnswer Answer(StoredResponse response) => new(Scope, Key, Hash, Token, response);
}

/// <summary>
/// What the database holds under a key: a finished answer (<paramref name="Answer"/>), or the live claim of a request
/// still running (no answer yet), with the hash of the request and the claim's token.
/// </summary>
public sealed record KeyRecord(string Hash, string? Token, StoredResponse? Answer);

/// <summary>A finished request's answer, as replayed to a retry with the same key and request.</summary>
public sealed record IdempotentAnswer(string Scope, string Key, string Hash, string Token, StoredResponse Response)
{
    /// <summary>Two writers store answers in this order, so they take the rows' locks in the same order.</summary>
    public static readonly IComparer<IdempotentAnswer> KeyOrder = Comparer<IdempotentAnswer>.Create((a, b) =>
    {
        var byScope = string.CompareOrdinal(a.Scope, b.Scope);
        return byScope != 0 ? byScope : string.CompareOrdinal(a.Key, b.Key);
    });
}

/// <summary>
/// Endpoint metadata: 409 problem codes that say "not now" (e.g. a task another reviewer holds) rather than a final
/// answer, so they are not stored for replay and a retry under the same key is evaluated again.
/// </summary>
public sealed class TemporaryRefusals(params string[] codes)
{
    public bool Contains(string? code) => code is not null && codes.Contains(code, StringComparer.Ordinal);
}

/// <summary>
/// Endpoint metadata: top-level properties of a successful JSON answer that hold a secret (a new API key, an access
/// token). They are shown once: the stored answer, and so every replay of it, leaves them out.
/// </summary>
public sealed class SecretsInAnswer(params string[] properties)
{
    /// <summary><paramref name="body"/> without the secret properties; as it is when it is not a JSON object.</summary>
    public byte[] Withhold(byte[] body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (System.Text.Json.Nodes.JsonNode.Parse(body) is not System.Text.Json.Nodes.JsonObject answer)
        {
            return body;
        }

        foreach (var property in properties)
        {
            answer.Remove(property);
        }

        return System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(answer);
    }
}
