using System.Net;
using System.Runtime.InteropServices;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace HeadlessLoan.Api.Integrations.Blobs;

/// <summary>Blobs as objects in one bucket of an S3-compatible store, under the same keys as the local store.</summary>
public sealed class S3BlobStore(S3BlobOptions options) : IBlobStore, IDisposable
{
    private readonly AmazonS3Client _s3 = CreateClient(options);
    private readonly string _bucket = options.Bucket;

    public static AmazonS3Client CreateClient(S3BlobOptions options) => new(
        new BasicAWSCredentials(options.AccessKey, options.SecretKey),
        new AmazonS3Config
        {
            ServiceURL = options.ServiceUrl,
            AuthenticationRegion = options.Region,
            ForcePathStyle = options.ForcePathStyle,
            Timeout = TimeSpan.FromSeconds(options.TimeoutSeconds),
            RetryMode = RequestRetryMode.Standard,
            MaxErrorRetry = options.MaxRetries,
            // Trailing checksums are the SDK's default since v4 but not every S3-compatible server reads them;
            // integrity is the AES-GCM tag's job anyway.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        });

    public void Dispose() => _s3.Dispose();

    public async Task PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken ct)
    {
        BlobKeys.Checked(key);

        // A HEAD refuses an overwrite on every server; If-None-Match also closes the race where the server supports
        // conditional writes (AWS S3, Minio).
        if (await ExistsAsync(key, ct))
        {
            throw new BlobAlreadyExistsException(key);
        }

        using var body = MemoryMarshal.TryGetArray(content, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(content.ToArray(), writable: false);
        try
        {
            await _s3.PutObjectAsync(new PutObjectRequest
            {
                BucketName = _bucket,
                Key = key,
                InputStream = body,
                AutoCloseStream = false,
                ContentType = "application/octet-stream",
                IfNoneMatch = "*",
                // One signed body instead of aws-chunked: documents are small, and not every S3-compatible server
                // decodes chunked uploads (some store the chunk framing as the object).
                UseChunkEncoding = false,
            }, ct);
        }
        catch (AmazonS3Exception e) when (e.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict)
        {
            throw new BlobAlreadyExistsException(key, e);
        }
    }

    public async Task<byte[]?> GetAsync(string key, CancellationToken ct)
    {
        BlobKeys.Checked(key);
        try
        {
            using var response = await _s3.GetObjectAsync(_bucket, key, ct);
            using var buffer = new MemoryStream(response.ContentLength > 0 ? (int)response.ContentLength : 0);
            await response.ResponseStream.CopyToAsync(buffer, ct);
            return buffer.ToArray();
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchKey")
        {
            // Only a missing object reads as null; a missing bucket (NoSuchBucket, also 404) is a configuration error.
            return null;
        }
    }

    public async Task DeleteAsync(string key, CancellationToken ct)
    {
        BlobKeys.Checked(key);
        await _s3.DeleteObjectAsync(_bucket, key, ct);
    }

    /// <summary>Creates the bucket unless it is there already.</summary>
    public async Task EnsureBucketAsync(CancellationToken ct)
    {
        try
        {
            await _s3.HeadBucketAsync(new HeadBucketRequest { BucketName = _bucket }, ct);
            return;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
        }

        try
        {
            await _s3.PutBucketAsync(new PutBucketRequest { BucketName = _bucket }, ct);
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "BucketAlreadyOwnedByYou")
        {
            // Another instance starting at the same time created it.
        }
    }

    private async Task<bool> ExistsAsync(string key, CancellationToken ct)
    {
        try
        {
            await _s3.GetObjectMetadataAsync(_bucket, key, ct);
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }
}
