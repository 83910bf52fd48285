using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace HeadlessLoan.Api.Platform.Errors;

/// <summary>
/// Every error of the API is <c>application/problem+json</c>, whatever the request's <c>Accept</c> names: the
/// framework's writer declines a request that accepts no JSON (<c>Accept: application/xml</c>), which left a 404 without
/// a body, a 422 without its <c>traceId</c> and an exception a 500. Registered after the framework's writer, this one
/// writes what that one declines, with the same customisation (<c>code</c>, <c>traceId</c>).
/// </summary>
public sealed class ProblemJsonFallbackWriter(IOptions<ProblemDetailsOptions> problems, IOptions<JsonOptions> json) : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = context.HttpContext.Response;
        var problem = context.ProblemDetails;
        problem.Status ??= response.StatusCode;
        problem.Title ??= ReasonPhrases.GetReasonPhrase(problem.Status.Value);
        problems.Value.CustomizeProblemDetails?.Invoke(context);
        return new ValueTask(response.WriteAsJsonAsync(problem, json.Value.SerializerOptions, Problems.ContentType, context.HttpContext.RequestAborted));
    }
}
