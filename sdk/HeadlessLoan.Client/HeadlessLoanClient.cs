using System.Text.Json;

namespace HeadlessLoan.Client;

/// <summary>Hand-written part of the generated client: the JSON settings it uses and the document upload.</summary>
public partial class HeadlessLoanClient
{
    // Called by the generated code when it builds its serializer options (generateUpdateJsonSerializerSettingsMethod: false).
    private static void UpdateJsonSerializerSettings(JsonSerializerOptions settings) => HeadlessLoanJson.Apply(settings);

    /// <inheritdoc />
    public virtual Task<HeadlessLoanResponse<DocumentResponse>> UploadApplicationDocumentAsync(
        Guid applicationId, DocumentKind kind, DocumentImage file, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        return UploadApplicationDocumentCoreAsync(applicationId, idempotencyKey, kind, file, cancellationToken);
    }
}

/// <summary>Hand-written part of the generated interface.</summary>
public partial interface IHeadlessLoanClient
{
    /// <summary>Uploads an ID card side or the bank card of a draft application; it is read by OCR and checked.</summary>
    /// <remarks>
    /// A readable image that breaks a rule is still recorded: the answer is <c>201</c> with
    /// <see cref="DocumentResponse.Status"/> <see cref="DocumentStatus.Rejected"/> and <see cref="DocumentResponse.Errors"/>.
    /// Written by hand because the generator makes every multipart field optional; here <paramref name="kind"/> and
    /// <paramref name="file"/> are required, as the contract says.
    /// </remarks>
    /// <param name="applicationId">The draft application.</param>
    /// <param name="kind">Which document the image shows.</param>
    /// <param name="file">The image, JPEG or PNG.</param>
    /// <param name="idempotencyKey">Makes a retry safe; see <see cref="IdempotencyKey"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="HeadlessLoanException">The server refused the upload.</exception>
    Task<HeadlessLoanResponse<DocumentResponse>> UploadApplicationDocumentAsync(
        Guid applicationId, DocumentKind kind, DocumentImage file, string? idempotencyKey = null, CancellationToken cancellationToken = default);
}
