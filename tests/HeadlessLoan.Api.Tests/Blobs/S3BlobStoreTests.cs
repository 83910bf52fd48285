using HeadlessLoan.Api.Integrations.Blobs;
using HeadlessLoan.Api.Tests.Infrastructure;

namespace HeadlessLoan.Api.Tests.Blobs;

/// <summary>A bucket of this class's own on the test S3 server, created the way the service creates it at start-up.</summary>
public sealed class S3BucketFixture : IAsyncLifetime
{
    public string Bucket { get; } = TestBuckets.NewName();

    public S3BlobStore Store { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Store = new S3BlobStore(TestServers.S3Options(Bucket));
        await Store.EnsureBucketAsync(default);
    }

    public async Task DisposeAsync()
    {
        Store.Dispose();
        await TestBuckets.DeleteAsync(Bucket);
    }
}

public sealed class S3BlobStoreTests(S3BucketFixture fixture) : BlobStoreContract, IClassFixture<S3BucketFixture>
{
    protected override IBlobStore Store => fixture.Store;

    [Fact]
    public async Task ABlobIsOneObjectNamedByItsKey()
    {
        var key = NewKey();

        await fixture.Store.PutAsync(key, new byte[] { 1, 2, 3 }, default);

        Assert.Equal([1, 2, 3], await TestBuckets.ReadObjectAsync(fixture.Bucket, key));
    }

    [Fact]
    public async Task EnsuringTheBucketAgainKeepsWhatIsInIt()
    {
        var key = NewKey();
        await fixture.Store.PutAsync(key, new byte[] { 7 }, default);

        await fixture.Store.EnsureBucketAsync(default);

        Assert.Equal([7], await fixture.Store.GetAsync(key, default));
    }

    [Fact]
    public async Task AnUnreachableServerIsAnErrorNotAMissingBlob()
    {
        // Nothing listens on port 9 (discard) here; one short attempt, so the test stays quick.
        using var store = new S3BlobStore(new S3BlobOptions
        {
            ServiceUrl = "http://127.0.0.1:9",
            Bucket = fixture.Bucket,
            AccessKey = "S3RVER",
            SecretKey = "S3RVER",
            TimeoutSeconds = 2,
            MaxRetries = 0,
        });

        await Assert.ThrowsAnyAsync<Exception>(() => store.GetAsync(NewKey(), default));
    }

    [Fact]
    public async Task AMissingBucketIsAnErrorNotAMissingBlob()
    {
        using var store = new S3BlobStore(TestServers.S3Options(TestBuckets.NewName()));

        await Assert.ThrowsAnyAsync<Amazon.S3.AmazonS3Exception>(() => store.GetAsync(NewKey(), default));
    }
}
