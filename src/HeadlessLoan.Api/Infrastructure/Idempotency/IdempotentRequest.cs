namespace HeadlessLoan.Api.Infrastructure.Idempotency;

/// <summary>
/// The idempotency key a request runs under, a request feature set by <see cref="IdempotencyMiddleware"/>. A handler
/// may store its answer in the same transaction as the change it reports (<see cref="IdempotencyStore.UpsertAnswers"/>)
/// and say so with <see cref="MarkAnswerStored"/>; the middleware then only releases the claim. A change and its
/// answer stored together cannot come apart: a retry after a crash between the two is replayed, not refused as a repeat.
/// </summary>
public sealed class IdempotentRequest(string scope, string key, string hash)
{
    public bool AnswerStored { get; private set; }

    public void MarkAnswerStored() => AnswerStored = true;

    /// <summary>This request's record with <paramref name="response"/> as its answer.</summary>
    public IdempotentAnswer Answer(StoredResponse response) => new(scope, key, hash, response);
}

/// <summary>A finished request's answer, as replayed to a retry with the same key and request.</summary>
public sealed record IdempotentAnswer(string Scope, string Key, string Hash, StoredResponse Response)
{
    /// <summary>Two writers store answers in this order, so they take the rows' locks in the same order.</summary>
    public static readonly IComparer<IdempotentAnswer> KeyOrder = Comparer<IdempotentAnswer>.Create((a, b) =>
    {
        var byScope = string.CompareOrdinal(a.Scope, b.Scope);
        return byScope != 0 ? byScope : string.CompareOrdinal(a.Key, b.Key);
    });
}
