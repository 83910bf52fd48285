using HeadlessLoan.Api.Integrations.Blobs;
using HeadlessLoan.Api.Platform.Privacy;

namespace HeadlessLoan.Api.Features.Applications;

/// <summary>
/// Document images at rest: encrypted with the personal-data keys (AES-GCM, the key id inside the blob) before the
/// blob store sees them. Images are never served back through the API.
/// </summary>
public sealed class DocumentImages(IBlobStore blobs, PersonalDataProtector protector)
{
    public static string KeyFor(Guid applicationId, Guid documentId) => $"applications/{applicationId:N}/{documentId:N}.bin";

    public async Task<string> SaveAsync(Guid applicationId, Guid documentId, byte[] image, CancellationToken ct)
    {
        var key = KeyFor(applicationId, documentId);
        await blobs.PutAsync(key, protector.EncryptBytes(image, PersonalDataPurpose.DocumentImage), ct);
        return key;
    }

    /// <summary>For internal review tools; no endpoint returns it.</summary>
    public async Task<byte[]?> ReadAsync(string key, CancellationToken ct) =>
        await blobs.GetAsync(key, ct) is { } blob ? protector.DecryptBytes(blob, PersonalDataPurpose.DocumentImage) : null;

    public Task DeleteAsync(string key, CancellationToken ct) => blobs.DeleteAsync(key, ct);
}

/// <summary>Image types decided by the file's first bytes, never by the declared content type or name.</summary>
public static class ImageSignatures
{
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private static readonly byte[] Jpeg = [0xFF, 0xD8, 0xFF];

    /// <summary><c>image/png</c>, <c>image/jpeg</c>, or null for anything else.</summary>
    public static string? Detect(ReadOnlySpan<byte> head) =>
        head.StartsWith(Png) ? "image/png" : head.StartsWith(Jpeg) ? "image/jpeg" : null;
}
