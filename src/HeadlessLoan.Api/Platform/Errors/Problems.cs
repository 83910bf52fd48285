using System.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace HeadlessLoan.Api.Platform.Errors;

/// <summary>
/// The one error shape of the API (RFC 9457): <c>code</c> is stable and machine-readable, <c>traceId</c>
/// ties the answer to the logs, <c>errors</c> names every bad field.
/// </summary>
public sealed record ApiProblem
{
    public string? Type { get; init; }
    public string? Title { get; init; }
    public int? Status { get; init; }
    public string? Detail { get; init; }
    public string? Instance { get; init; }
    public required string Code { get; init; }
    public string? TraceId { get; init; }
    public IDictionary<string, string[]>? Errors { get; init; }
}

public static class Problems
{
    public const string ContentType = "application/problem+json";

    public static ProblemHttpResult Create(int status, string code, string title, string? detail = null, IDictionary<string, string[]>? errors = null)
    {
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        problem.Extensions["code"] = code;
        if (errors is not null)
        {
            problem.Extensions["errors"] = errors;
        }

        return TypedResults.Problem(problem);
    }

    public static ProblemHttpResult NotFound(string what) => Create(StatusCodes.Status404NotFound, "not_found", $"{what} was not found.");

    public static ProblemHttpResult Conflict(string code, string title) => Create(StatusCodes.Status409Conflict, code, title);

    /// <summary>The code of <see cref="SamePerson"/>.</summary>
    public const string FourEyesSamePerson = "four_eyes_same_person";

    /// <summary>
    /// Who asked for something tries to decide it as well: every four-eyes decision (an offline repayment, a refund, a
    /// payout retry, a manual class, a write-off) answers so, 403 with one code. <paramref name="title"/> says whose
    /// second person decides what.
    /// </summary>
    public static ProblemHttpResult SamePerson(string title) => Create(StatusCodes.Status403Forbidden, FourEyesSamePerson, title);

    public static ProblemHttpResult Unprocessable(string code, string title, string field, string message) =>
        Create(StatusCodes.Status422UnprocessableEntity, code, title, errors: new Dictionary<string, string[]> { [field] = [message] });

    /// <summary>Default codes for answers that carry no code of their own (404 from routing, 405, 401 …).</summary>
    public static string CodeFor(int status) => status switch
    {
        400 => "bad_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        406 => "not_acceptable",
        409 => "conflict",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        422 => "validation_failed",
        423 => "locked",
        429 => "rate_limited",
        503 => "unavailable",
        >= 500 => "internal_error",
        _ => "error",
    };

    public static IServiceCollection AddProblemResponses(this IServiceCollection services)
    {
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
        {
            var problem = ctx.ProblemDetails;
            var status = problem.Status ?? ctx.HttpContext.Response.StatusCode;
            problem.Extensions.TryAdd("code", CodeFor(status));
            problem.Extensions["traceId"] = Activity.Current?.TraceId.ToString() ?? ctx.HttpContext.TraceIdentifier;
            // The framework adds its own "requestId"; traceId is ours and enough.
            problem.Extensions.Remove("requestId");
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProblemDetailsWriter, ProblemJsonFallbackWriter>());
        services.AddExceptionHandler<ProblemExceptionHandler>();
        return services;
    }
}
