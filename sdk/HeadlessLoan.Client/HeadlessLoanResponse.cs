namespace HeadlessLoan.Client;

/// <summary>
/// The answer to a state-changing call: the headers that say what became of the change, beside the result
/// (<see cref="HeadlessLoanResponse{TResult}.Result"/>).
/// </summary>
public partial class HeadlessLoanResponse
{
    /// <summary>The header that marks a replayed answer.</summary>
    public const string IdempotentReplayedHeader = "Idempotent-Replayed";

    /// <summary>
    /// Whether this is the kept answer of an earlier request with the same <c>Idempotency-Key</c> (<c>Idempotent-Replayed: true</c>):
    /// nothing was done again, and secrets shown once (an access token, a new API key) are absent.
    /// </summary>
    public bool IdempotentReplayed => bool.TryParse(ResponseHeaders.First(Headers, IdempotentReplayedHeader), out var replayed) && replayed;

    /// <summary>
    /// Where the created (or, for a submitted application, the polled) resource lives, relative to the API's base address;
    /// <see langword="null"/> when the answer names none.
    /// </summary>
    public Uri? Location => Uri.TryCreate(ResponseHeaders.First(Headers, "Location"), UriKind.RelativeOrAbsolute, out var location) ? location : null;

    /// <summary>How long to wait before asking again when the answer says so (<c>Retry-After</c>); <see langword="null"/> otherwise.</summary>
    public TimeSpan? RetryAfter => ResponseHeaders.RetryAfter(Headers, TimeProvider.System);
}

/// <summary>The answer to a state-changing call with its result.</summary>
/// <typeparam name="TResult">The answer's body.</typeparam>
public partial class HeadlessLoanResponse<TResult>
{
    /// <summary>The result, so that <c>ProductResponse product = await client.CreateProductAsync(…)</c> reads as a plain call.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="response"/> is <see langword="null"/>.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2225:Operator overloads have named alternates", Justification = "Result is the named alternate.")]
    public static implicit operator TResult(HeadlessLoanResponse<TResult> response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.Result;
    }
}
