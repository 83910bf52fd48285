namespace HeadlessLoan.Api.Infrastructure.Errors;

/// <summary>
/// Refuses a declared body over <c>Limits:MaxRequestBodyBytes</c> (413) whatever the host: Kestrel enforces the
/// same limit while reading, but other hosts (IIS in-process, the test server) do not.
/// </summary>
public sealed class RequestBodyLimitMiddleware(RequestDelegate next, long maxBytes)
{
    public Task InvokeAsync(HttpContext context) =>
        context.Request.ContentLength > maxBytes
            ? throw new BadHttpRequestException($"The request body is larger than {maxBytes} bytes.", StatusCodes.Status413PayloadTooLarge)
            : next(context);
}
