// The generated upload code names its file type FileParameter, a name every NSwag client shares; the alias keeps that
// name out of the SDK's public surface, where the type is DocumentImage.
global using FileParameter = HeadlessLoan.Client.DocumentImage;

namespace HeadlessLoan.Client;

/// <summary>An image to upload as an application document: an ID card side or a bank card, JPEG or PNG, at most 2 MiB.</summary>
/// <remarks>The server judges the type by the image's first bytes, not by <see cref="FileName"/> or <see cref="ContentType"/>.</remarks>
public sealed class DocumentImage
{
    /// <summary>An image read from <paramref name="data"/> when the upload is sent; the caller keeps and disposes the stream.</summary>
    /// <param name="data">The image bytes.</param>
    /// <param name="fileName">The file name sent with the part; <c>file</c> when absent.</param>
    /// <param name="contentType">The part's media type, for example <c>image/jpeg</c>; none when absent.</param>
    public DocumentImage(Stream data, string? fileName = null, string? contentType = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        Data = data;
        FileName = fileName;
        ContentType = contentType;
    }

    /// <summary>The image bytes.</summary>
    public Stream Data { get; }

    /// <summary>The file name sent with the part.</summary>
    public string? FileName { get; }

    /// <summary>The part's media type.</summary>
    public string? ContentType { get; }
}
