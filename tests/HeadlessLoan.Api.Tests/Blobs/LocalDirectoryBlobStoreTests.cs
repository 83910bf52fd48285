using HeadlessLoan.Api.Integrations.Blobs;

namespace HeadlessLoan.Api.Tests.Blobs;

public sealed class LocalDirectoryBlobStoreTests : BlobStoreContract, IDisposable
{
    private readonly LocalDirectoryBlobStore _store = new(Path.Combine(Path.GetTempPath(), "hl-blobs-" + Guid.NewGuid().ToString("N")[..12]));

    protected override IBlobStore Store => _store;

    [Fact]
    public async Task ABlobIsOneFileAtItsKeyAndNoTemporaryFileStays()
    {
        var key = NewKey();

        await _store.PutAsync(key, new byte[] { 1, 2, 3 }, default);

        Assert.Equal([1, 2, 3], await File.ReadAllBytesAsync(_store.PathOf(key)));
        Assert.Equal([_store.PathOf(key)], Directory.EnumerateFiles(_store.Root, "*", SearchOption.AllDirectories));
    }

    public void Dispose() => Directory.Delete(_store.Root, recursive: true);
}
