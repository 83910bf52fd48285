namespace HeadlessLoan.Api.Platform.Errors;

/// <summary>Declares problem answers in the endpoint metadata so the described API matches the contract.</summary>
public static class ProblemMetadata
{
    public static RouteHandlerBuilder ProducesProblems(this RouteHandlerBuilder builder, params int[] statuses)
    {
        foreach (var status in statuses)
        {
            builder.Produces<ApiProblem>(status, Problems.ContentType);
        }

        return builder;
    }

    /// <summary>
    /// 401 for every protected endpoint; 403 where a role or caller kind is required; 429 once an address has presented too
    /// many unknown API keys.
    /// </summary>
    public static RouteHandlerBuilder ProducesAuthProblems(this RouteHandlerBuilder builder, bool forbidden = false) =>
        forbidden ? builder.ProducesProblems(401, 403, 429) : builder.ProducesProblems(401, 429);
}
