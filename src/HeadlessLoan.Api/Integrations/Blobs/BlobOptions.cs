using System.ComponentModel.DataAnnotations;

namespace HeadlessLoan.Api.Integrations.Blobs;

public enum BlobProvider
{
    LocalDirectory,
    S3,
}

public sealed class BlobOptions : IValidatableObject
{
    public const string Section = "Blobs";

    public BlobProvider Provider { get; init; } = BlobProvider.LocalDirectory;

    /// <summary>Directory of the local store; <c>.local/blobs</c> under the content root when empty.</summary>
    public string? Root { get; init; }

    /// <summary>Read only when <see cref="Provider"/> is <see cref="BlobProvider.S3"/>.</summary>
    public S3BlobOptions S3 { get; init; } = new();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        Provider == BlobProvider.S3 ? S3.Validate() : [];
}

/// <summary>An S3-compatible object store: Minio, AWS S3, or a cloud's S3-compatible endpoint.</summary>
public sealed class S3BlobOptions
{
    /// <summary>Endpoint, e.g. <c>http://minio:9000</c> or <c>https://s3.cn-north-1.amazonaws.com.cn</c>.</summary>
    public string ServiceUrl { get; init; } = "";

    public string Bucket { get; init; } = "";

    public string AccessKey { get; init; } = "";

    public string SecretKey { get; init; } = "";

    /// <summary>The region requests are signed for; Minio accepts the default.</summary>
    public string Region { get; init; } = "us-east-1";

    /// <summary>Bucket in the path (<c>host/bucket/key</c>) rather than the host name: what Minio-style servers expect.</summary>
    public bool ForcePathStyle { get; init; } = true;

    /// <summary>Create the bucket at start-up when it is missing; off where the credentials may only read and write objects.</summary>
    public bool CreateBucket { get; init; } = true;

    /// <summary>Per attempt; a document upload waits for the store.</summary>
    public int TimeoutSeconds { get; init; } = 10;

    /// <summary>Retries of throttled, timed-out and 5xx requests (the SDK's standard mode, with back-off).</summary>
    public int MaxRetries { get; init; } = 2;

    internal IEnumerable<ValidationResult> Validate()
    {
        if (!Uri.TryCreate(ServiceUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            yield return new ValidationResult("Blobs:S3:ServiceUrl must be an absolute http(s) URL (the S3-compatible endpoint).");
        }

        // S3's bucket naming rules, which Minio and the S3-compatible clouds share.
        if (Bucket.Length is < 3 or > 63 || !Bucket.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.')
            || !char.IsAsciiLetterOrDigit(Bucket[0]) || !char.IsAsciiLetterOrDigit(Bucket[^1]))
        {
            yield return new ValidationResult("Blobs:S3:Bucket must be 3–63 lowercase letters, digits, '-' or '.', starting and ending with a letter or digit.");
        }

        if (string.IsNullOrWhiteSpace(AccessKey))
        {
            yield return new ValidationResult("Blobs:S3:AccessKey is required.");
        }

        if (string.IsNullOrWhiteSpace(SecretKey))
        {
            yield return new ValidationResult("Blobs:S3:SecretKey is required.");
        }

        if (string.IsNullOrWhiteSpace(Region))
        {
            yield return new ValidationResult("Blobs:S3:Region is required (us-east-1 for Minio).");
        }

        if (TimeoutSeconds is < 1 or > 300)
        {
            yield return new ValidationResult("Blobs:S3:TimeoutSeconds must be between 1 and 300.");
        }

        if (MaxRetries is < 0 or > 10)
        {
            yield return new ValidationResult("Blobs:S3:MaxRetries must be between 0 and 10.");
        }
    }
}
