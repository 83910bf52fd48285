using System.Text.Json;

namespace HeadlessLoan.Client;

/// <summary>
/// A call the server refused (or answered unexpectedly). Every refusal is an RFC 9457 problem with a stable
/// <see cref="HeadlessLoanProblem.Code"/>: switch on <see cref="ProblemCode"/>, never on the title or detail.
/// </summary>
public partial class HeadlessLoanException
{
    /// <summary>
    /// The problem the server answered with: <see cref="HeadlessLoanException{TResult}.Result"/> for the error answers the
    /// contract declares, otherwise read from <see cref="Response"/> when it is a problem document; <see langword="null"/> when there is none.
    /// </summary>
    public HeadlessLoanProblem? Problem => this is HeadlessLoanException<HeadlessLoanProblem> typed ? typed.Result : ReadProblem(Response);

    /// <summary>The problem's stable machine-readable <c>code</c> (for example <c>validation_failed</c>), or <see langword="null"/>.</summary>
    public string? ProblemCode => Problem?.Code;

    /// <summary>How long to wait before retrying, when the answer says (<c>Retry-After</c> on <c>429</c>, <c>503</c>, <c>409 idempotency_in_progress</c>).</summary>
    public TimeSpan? RetryAfter => ResponseHeaders.RetryAfter(Headers, TimeProvider.System);

    /// <summary>Whether the problem's <c>code</c> is <paramref name="code"/>.</summary>
    public bool HasProblemCode(string code) => string.Equals(ProblemCode, code, StringComparison.Ordinal);

    /// <summary>The messages for one field of a validation problem (for example <c>termMonths</c>); empty when the field is not named.</summary>
    public IReadOnlyCollection<string> GetFieldErrors(string field)
    {
        if (Problem?.Errors is not { } errors)
        {
            return [];
        }

        foreach (var (name, messages) in errors)
        {
            if (string.Equals(name, field, StringComparison.OrdinalIgnoreCase))
            {
                return [.. messages];
            }
        }

        return [];
    }

    private static HeadlessLoanProblem? ReadProblem(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        try
        {
            var problem = JsonSerializer.Deserialize<HeadlessLoanProblem>(body, HeadlessLoanJson.Options);
            return string.IsNullOrEmpty(problem?.Code) ? null : problem;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
