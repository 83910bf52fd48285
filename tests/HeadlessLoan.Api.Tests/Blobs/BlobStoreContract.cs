using System.Security.Cryptography;
using HeadlessLoan.Api.Integrations.Blobs;

namespace HeadlessLoan.Api.Tests.Blobs;

/// <summary>What every blob store does, whichever it is: each store's test class runs these against the real thing.</summary>
public abstract class BlobStoreContract
{
    protected abstract IBlobStore Store { get; }

    protected static string NewKey() => $"applications/{Guid.NewGuid():N}/{Guid.NewGuid():N}.bin";

    [Fact]
    public async Task APutBlobReadsBackByteForByte()
    {
        var key = NewKey();
        var content = RandomNumberGenerator.GetBytes(1000);

        await Store.PutAsync(key, content, default);

        Assert.Equal(content, await Store.GetAsync(key, default));
    }

    [Fact]
    public async Task AMissingKeyReadsAsNull()
    {
        Assert.Null(await Store.GetAsync(NewKey(), default));
    }

    [Fact]
    public async Task DeleteRemovesTheBlobAndDeletingAMissingKeyIsNoError()
    {
        var key = NewKey();
        await Store.PutAsync(key, RandomNumberGenerator.GetBytes(10), default);

        await Store.DeleteAsync(key, default);
        await Store.DeleteAsync(key, default);

        Assert.Null(await Store.GetAsync(key, default));
    }

    [Fact]
    public async Task AnExistingKeyIsNeverOverwritten()
    {
        var key = NewKey();
        var first = RandomNumberGenerator.GetBytes(64);
        await Store.PutAsync(key, first, default);

        await Assert.ThrowsAsync<BlobAlreadyExistsException>(() => Store.PutAsync(key, RandomNumberGenerator.GetBytes(64), default));

        Assert.Equal(first, await Store.GetAsync(key, default));
    }

    [Fact]
    public async Task AKeyCanBeWrittenAgainAfterItsBlobIsDeleted()
    {
        var key = NewKey();
        await Store.PutAsync(key, RandomNumberGenerator.GetBytes(8), default);
        await Store.DeleteAsync(key, default);
        var second = RandomNumberGenerator.GetBytes(8);

        await Store.PutAsync(key, second, default);

        Assert.Equal(second, await Store.GetAsync(key, default));
    }

    [Fact]
    public async Task ABlobLargerThanAnyAcceptedImageRoundTrips()
    {
        var key = NewKey();
        var content = RandomNumberGenerator.GetBytes((5 * 1024 * 1024) + 3);

        await Store.PutAsync(key, content, default);

        Assert.Equal(content, await Store.GetAsync(key, default));
    }

    [Fact]
    public async Task OnlyTheGivenSliceOfABufferIsStored()
    {
        var key = NewKey();
        var buffer = RandomNumberGenerator.GetBytes(100);

        await Store.PutAsync(key, buffer.AsMemory(10, 50), default);

        Assert.Equal(buffer[10..60], await Store.GetAsync(key, default));
    }

    [Fact]
    public async Task AnEmptyBlobIsStoredAndIsNotMissing()
    {
        var key = NewKey();

        await Store.PutAsync(key, ReadOnlyMemory<byte>.Empty, default);

        Assert.Equal(Array.Empty<byte>(), await Store.GetAsync(key, default));
    }

    [Theory]
    [InlineData("../escape.bin")]
    [InlineData("applications/../../escape.bin")]
    [InlineData("/absolute.bin")]
    [InlineData("Upper/case.bin")]
    [InlineData("double//slash.bin")]
    [InlineData("")]
    public async Task KeysThatCouldLeaveTheStoreAreRefused(string key)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.PutAsync(key, new byte[] { 1 }, default));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.GetAsync(key, default));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.DeleteAsync(key, default));
    }
}
