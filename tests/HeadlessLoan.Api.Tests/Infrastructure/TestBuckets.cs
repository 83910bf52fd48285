using Amazon.S3;
using Amazon.S3.Model;
using HeadlessLoan.Api.Integrations.Blobs;

namespace HeadlessLoan.Api.Tests.Infrastructure;

/// <summary>Buckets of their own on the test S3 server, read and removed with a client of their own (not the store under test).</summary>
public static class TestBuckets
{
    public static string NewName() => "hl-t-" + Guid.NewGuid().ToString("N")[..12];

    public static async Task<bool> ExistsAsync(string bucket)
    {
        using var s3 = S3BlobStore.CreateClient(TestServers.S3Options(bucket));
        try
        {
            await s3.HeadBucketAsync(new HeadBucketRequest { BucketName = bucket });
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>The object's bytes exactly as the server keeps them.</summary>
    public static async Task<byte[]> ReadObjectAsync(string bucket, string key)
    {
        using var s3 = S3BlobStore.CreateClient(TestServers.S3Options(bucket));
        using var response = await s3.GetObjectAsync(bucket, key);
        using var buffer = new MemoryStream();
        await response.ResponseStream.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    /// <summary>Empties and removes the bucket, if there is one.</summary>
    public static async Task DeleteAsync(string bucket)
    {
        if (!await ExistsAsync(bucket))
        {
            return;
        }

        using var s3 = S3BlobStore.CreateClient(TestServers.S3Options(bucket));
        var listed = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });
        foreach (var item in listed.S3Objects ?? [])
        {
            await s3.DeleteObjectAsync(bucket, item.Key);
        }

        await s3.DeleteBucketAsync(bucket);
    }
}
