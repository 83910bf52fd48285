using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Net.Http.Headers;

namespace HeadlessLoan.Api.Platform.Json;

/// <summary>
/// A 200 whose JSON body was serialised ahead of time (and is shared between requests), sent gzip-compressed
/// to clients that accept it; described to OpenAPI as <typeparamref name="T"/> like <c>Ok&lt;T&gt;</c>.
/// </summary>
public sealed class PreserializedJsonResult<T>(PreserializedJson body) : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult
{
    public int? StatusCode => StatusCodes.Status200OK;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        response.Headers.Vary = HeaderNames.AcceptEncoding;
        var bytes = body.Json;
        if (AcceptsGzip(httpContext.Request))
        {
            response.Headers.ContentEncoding = "gzip";
            bytes = body.Gzip;
        }

        response.ContentLength = bytes.Length;
        await response.Body.WriteAsync(bytes, httpContext.RequestAborted);
    }

    private static bool AcceptsGzip(HttpRequest request) =>
        request.Headers.AcceptEncoding.Any(v => v is not null && v.Contains("gzip", StringComparison.OrdinalIgnoreCase));

#pragma warning disable CA1000 // IEndpointMetadataProvider is a static interface member
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(T), ["application/json"]));
#pragma warning restore CA1000
}
