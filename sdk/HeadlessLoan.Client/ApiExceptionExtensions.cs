using System.Text.Json;

namespace HeadlessLoan.Client;

/// <summary>Reads the RFC 9457 problem (and its stable <c>code</c>) from a failed call.</summary>
public static class ApiExceptionExtensions
{
    /// <summary>
    /// The problem the server answered with: <see cref="ApiException{TResult}.Result"/> for declared error answers,
    /// otherwise parsed from the response body when it is a problem document; <see langword="null"/> when there is none.
    /// </summary>
    public static ApiProblem? GetProblem(this ApiException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is ApiException<ApiProblem> typed)
        {
            return typed.Result;
        }

        if (string.IsNullOrWhiteSpace(exception.Response))
        {
            return null;
        }

        try
        {
            var problem = JsonSerializer.Deserialize<ApiProblem>(exception.Response, HeadlessLoanJson.Options);
            return string.IsNullOrEmpty(problem?.Code) ? null : problem;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The problem's stable machine-readable <c>code</c> (e.g. <c>validation_failed</c>), or <see langword="null"/>.</summary>
    public static string? GetProblemCode(this ApiException exception) => exception.GetProblem()?.Code;

    /// <summary>Whether the problem's <c>code</c> is <paramref name="code"/>.</summary>
    public static bool HasProblemCode(this ApiException exception, string code)
        => string.Equals(exception.GetProblemCode(), code, StringComparison.Ordinal);

    /// <summary>The messages for one field of a validation problem; empty when the field is not named.</summary>
    public static IReadOnlyCollection<string> GetFieldErrors(this ApiException exception, string field)
    {
        var errors = exception.GetProblem()?.Errors;
        if (errors is null)
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
}
