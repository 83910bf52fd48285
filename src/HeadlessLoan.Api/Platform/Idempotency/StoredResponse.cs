namespace HeadlessLoan.Api.Platform.Idempotency;

/// <summary>A response as stored for replay; written as it was first sent.</summary>
public sealed record StoredResponse(int StatusCode, string? ContentType, string? Location, byte[] Body) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        response.StatusCode = StatusCode;
        if (!string.IsNullOrEmpty(ContentType))
        {
            response.ContentType = ContentType;
        }

        if (!string.IsNullOrEmpty(Location))
        {
            response.Headers.Location = Location;
        }

        if (Body.Length > 0)
        {
            await response.Body.WriteAsync(Body, httpContext.RequestAborted);
        }
    }
}

/// <summary>A finished answer sent again to a retry, marked as such.</summary>
public sealed class ReplayedResponse(StoredResponse stored) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        httpContext.Response.Headers[IdempotencyMiddleware.ReplayedHeader] = "true";
        return stored.ExecuteAsync(httpContext);
    }
}
