namespace HeadlessLoan.Api.Platform.Auth;

/// <summary>
/// Says whether a bearer token of one kind of caller is still good: a feature whose accounts can be disabled or given a new
/// password registers one, and every request with such a token is checked against it (<see cref="Caller.TokenVersionClaim"/>).
/// </summary>
public interface ITokenRevocation
{
    /// <summary>The caller kind whose tokens this checks (<see cref="Caller.Staff"/>, …).</summary>
    string Kind { get; }

    Task<bool> IsCurrentAsync(Guid subject, int version, CancellationToken ct);
}
