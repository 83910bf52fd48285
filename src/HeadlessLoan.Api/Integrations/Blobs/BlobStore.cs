using System.Text.RegularExpressions;

namespace HeadlessLoan.Api.Integrations.Blobs;

/// <summary>
/// Opaque bytes by key (document images). Callers encrypt before they put: a store only keeps what it is given.
/// A local directory by default; an S3-compatible store when instances no longer share a disk.
/// </summary>
public interface IBlobStore
{
    /// <summary>Writes a new blob; an existing key is refused with <see cref="BlobAlreadyExistsException"/> (blobs are never overwritten).</summary>
    Task PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken ct);

    /// <summary>The blob, or null when there is none.</summary>
    Task<byte[]?> GetAsync(string key, CancellationToken ct);

    /// <summary>Removes the blob; a key with none is not an error.</summary>
    Task DeleteAsync(string key, CancellationToken ct);
}

public sealed class BlobAlreadyExistsException(string key, Exception? inner = null)
    : IOException($"A blob with key '{key}' already exists.", inner);

/// <summary>
/// Keys are relative paths of lowercase letters, digits, '-', '_' and '.': the same key is a safe file path under a
/// root and a safe S3 object name, and nothing can climb out of the root.
/// </summary>
public static partial class BlobKeys
{
    public static string Checked(string key) =>
        KeyPattern().IsMatch(key) && !key.Contains("..", StringComparison.Ordinal)
            ? key
            : throw new ArgumentException($"Invalid blob key '{key}'.", nameof(key));

    [GeneratedRegex("^[a-z0-9_-][a-z0-9._-]*(/[a-z0-9_-][a-z0-9._-]*)*$")]
    private static partial Regex KeyPattern();
}

/// <summary>Blobs as files under a root directory, written to a temporary name and moved into place.</summary>
public sealed class LocalDirectoryBlobStore : IBlobStore
{
    private readonly string _root;

    public LocalDirectoryBlobStore(string root)
    {
        _root = Path.GetFullPath(root);
        Directory.CreateDirectory(_root);
    }

    public string Root => _root;

    public async Task PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken ct)
    {
        var path = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous))
            {
                await file.WriteAsync(content, ct);
                await file.FlushAsync(ct);
            }

            File.Move(temp, path, overwrite: false);
        }
        catch (IOException e) when (File.Exists(path))
        {
            throw new BlobAlreadyExistsException(key, e);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    public async Task<byte[]?> GetAsync(string key, CancellationToken ct)
    {
        var path = PathOf(key);
        return File.Exists(path) ? await File.ReadAllBytesAsync(path, ct) : null;
    }

    public Task DeleteAsync(string key, CancellationToken ct)
    {
        File.Delete(PathOf(key));
        return Task.CompletedTask;
    }

    public string PathOf(string key) => Path.Combine(_root, BlobKeys.Checked(key).Replace('/', Path.DirectorySeparatorChar));
}
