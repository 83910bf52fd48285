using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;

namespace HeadlessLoan.Api.Infrastructure.Json;

/// <summary>
/// A 200 whose JSON body was serialised ahead of time (and may be shared between requests); described to
/// OpenAPI as <typeparamref name="T"/> like <c>Ok&lt;T&gt;</c>.
/// </summary>
public sealed class Utf8JsonResult<T>(ReadOnlyMemory<byte> body) : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult
{
    public int? StatusCode => StatusCodes.Status200OK;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, httpContext.RequestAborted);
    }

#pragma warning disable CA1000 // IEndpointMetadataProvider is a static interface member
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(T), ["application/json"]));
#pragma warning restore CA1000
}
