using System.Text.Json;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Platform.Idempotency;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace HeadlessLoan.Api.Platform.Errors;

/// <summary>
/// Turns request-reading failures (malformed JSON, wrong types, unknown enum values, oversize or
/// wrongly typed bodies) into 4xx problems, and a database or Redis that cannot answer now into
/// <c>503 unavailable</c> with <c>Retry-After</c>; anything else is an unexpected 500 and is logged.
/// </summary>
public sealed partial class ProblemExceptionHandler(IProblemDetailsService problems, DatabaseHealth database, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    /// <summary>Seconds a client is told to wait before it tries again when a dependency is away.</summary>
    public const int RetryAfterSeconds = 1;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var problem = exception switch
        {
            BadHttpRequestException bad => FromBadRequest(bad),
            _ when DatabaseFaults.IsUnavailable(exception) || RedisHealth.IsFailure(exception) || IdempotencyStore.IsAnsweredElsewhere(exception) =>
                Unavailable(httpContext, exception),
            _ => null,
        };

        if (problem is null)
        {
            LogUnexpected(logger, exception, httpContext.Request.Method, httpContext.Request.Path);
            problem = new ProblemDetails { Status = 500, Title = "An unexpected error occurred." };
            problem.Extensions["code"] = "internal_error";
        }

        httpContext.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = problem,
            Exception = exception,
        });
    }

    /// <summary>
    /// The database (restarting, unreachable, or refusing the transaction in a conflict — with another transaction, or
    /// with a duplicate request's answer in the same group commit) or Redis could not do its part: nothing the request
    /// was doing committed with it, and a retry — under the same <c>Idempotency-Key</c> — is right.
    /// </summary>
    private ProblemDetails Unavailable(HttpContext context, Exception exception)
    {
        LogUnavailable(logger, exception.GetType().Name, exception.Message, context.Request.Method, context.Request.Path);
        if (DatabaseFaults.IsConnectionLost(exception))
        {
            // Other pooled connections may be as broken as this one was: they are checked before they are used again.
            database.Report(exception);
        }

        context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var problem = new ProblemDetails { Status = StatusCodes.Status503ServiceUnavailable, Title = "The service cannot do this right now; retry after the indicated time." };
        problem.Extensions["code"] = "unavailable";
        return problem;
    }

    private static ProblemDetails FromBadRequest(BadHttpRequestException bad)
    {
        var problem = new ProblemDetails { Status = bad.StatusCode };
        switch (bad.StatusCode)
        {
            case 413:
                problem.Title = "The request body is too large.";
                problem.Extensions["code"] = "payload_too_large";
                break;
            case 415:
                problem.Title = "The request body must be JSON (Content-Type: application/json).";
                problem.Extensions["code"] = "unsupported_media_type";
                break;
            default:
                var json = FindJsonException(bad);
                if (json is not null)
                {
                    var field = string.IsNullOrEmpty(json.Path) ? "$" : json.Path;
                    problem.Title = "The request body is not valid JSON for this operation.";
                    problem.Detail = $"The value at '{field}' could not be read.";
                    problem.Extensions["code"] = "malformed_json";
                    problem.Extensions["errors"] = new Dictionary<string, string[]> { [field] = ["Malformed value, wrong type or unknown value."] };
                }
                else
                {
                    problem.Title = "The request could not be read.";
                    problem.Detail = bad.Message;
                    problem.Extensions["code"] = bad.Message.Contains("body was provided", StringComparison.Ordinal) ? "body_required" : "bad_request";
                }

                break;
        }

        return problem;
    }

    private static JsonException? FindJsonException(Exception e)
    {
        for (var current = e.InnerException; current is not null; current = current.InnerException)
        {
            if (current is JsonException json)
            {
                return json;
            }
        }

        return null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path} answered 503: a dependency could not answer ({Kind}: {Message})")]
    private static partial void LogUnavailable(ILogger logger, string kind, string message, string method, PathString path);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected error on {Method} {Path}")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string method, PathString path);
}
