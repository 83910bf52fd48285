namespace HeadlessLoan.Client;

/// <summary>Makes <c>Idempotency-Key</c> values for state-changing calls.</summary>
/// <remarks>
/// Every state-changing operation takes an optional <c>idempotencyKey</c> argument, sent as the
/// <c>Idempotency-Key</c> header. Make one key per logical operation, keep it with the operation and send the
/// same key (and the same body) on every retry: the server replays the first answer instead of acting twice.
/// </remarks>
public static class IdempotencyKey
{
    /// <summary>A new random key (32 hex characters).</summary>
    public static string New() => Guid.NewGuid().ToString("N");
}
