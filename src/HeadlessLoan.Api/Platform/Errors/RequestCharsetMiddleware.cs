using System.Text;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Net.Http.Headers;

namespace HeadlessLoan.Api.Platform.Errors;

/// <summary>
/// A JSON body's <c>charset</c> must name an encoding .NET reads: the framework throws on any other (an unknown name,
/// an empty one, even a quoted <c>"utf-8"</c>), and that was a 500. An unknown charset is now
/// <c>415 unsupported_media_type</c>; a quoted one (RFC 9110 makes it equal to the bare token) is passed on bare.
/// Only for endpoints that read a JSON body: elsewhere the body is not read, and its charset does not matter.
/// </summary>
public sealed class RequestCharsetMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.ContentType is not { } contentType
            || !MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
            || mediaType.Charset.Value is not { } charset
            || context.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>() is not { } accepts
            || !accepts.ContentTypes.Any(t => t.Contains("json", StringComparison.OrdinalIgnoreCase)))
        {
            return next(context);
        }

        var name = HeaderUtilities.RemoveQuotes(charset).Value;
        if (!IsKnown(name))
        {
            return Problems.Create(StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type",
                    "The request body's charset is not one the service reads; send UTF-8.", $"Unknown charset '{charset}'.")
                .ExecuteAsync(context);
        }

        if (name != charset)
        {
            mediaType.Charset = name;
            request.ContentType = mediaType.ToString();
        }

        return next(context);
    }

    private static bool IsKnown(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return false;
        }

        try
        {
            _ = Encoding.GetEncoding(name);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
