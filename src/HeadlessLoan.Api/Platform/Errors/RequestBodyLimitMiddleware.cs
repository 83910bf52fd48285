namespace HeadlessLoan.Api.Platform.Errors;

/// <summary>
/// Refuses a declared body over <c>Limits:MaxRequestBodyBytes</c> (413) whatever the host: Kestrel enforces the
/// same limit while reading, but other hosts (IIS in-process, the test server) do not.
/// </summary>
public sealed class RequestBodyLimitMiddleware(RequestDelegate next, long maxBytes)
{
    public Task InvokeAsync(HttpContext context)
    {
        // An endpoint may declare its own limit (document uploads); routing hands the same limit to Kestrel.
        var limit = context.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IRequestSizeLimitMetadata>()?.MaxRequestBodySize ?? maxBytes;
        return context.Request.ContentLength > limit
            ? throw new BadHttpRequestException($"The request body is larger than {limit} bytes.", StatusCodes.Status413PayloadTooLarge)
            : next(context);
    }
}
