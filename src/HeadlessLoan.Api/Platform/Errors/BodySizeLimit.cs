namespace HeadlessLoan.Api.Platform.Errors;

/// <summary>
/// Gives one endpoint a body limit of its own instead of <c>Limits:MaxRequestBodyBytes</c>: larger for document
/// images, smaller for callbacks whose bodies are known to be small.
/// </summary>
public sealed class BodySizeLimit(long maxBytes) : Microsoft.AspNetCore.Http.Metadata.IRequestSizeLimitMetadata
{
    public long? MaxRequestBodySize { get; } = maxBytes;
}
