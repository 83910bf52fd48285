using System.Text.RegularExpressions;

namespace HeadlessLoan.Api.Blobs;

/// <summary>
/// Opaque bytes by key (document images). Callers encrypt before they put: a store only keeps what it is given.
/// Local directories here; an S3-compatible or OSS store can implement the same interface when instances no
/// longer share a disk.
/// </summary>
public interface IBlobStore
{
    /// <summary>Writes a new blob; an existing key is an error (blobs are never overwritten).</summary>
    Task PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken ct);

    /// <summary>The blob, or null when there is none.</summary>
    Task<byte[]?> GetAsync(string key, CancellationToken ct);

    Task DeleteAsync(string key, CancellationToken ct);
}

public sealed class BlobOptions
{
    public const string Section = "Blobs";

    /// <summary>Directory of the local store; <c>.local/blobs</c> under the content root when empty.</summary>
    public string? Root { get; init; }
}

/// <summary>Blobs as files under a root directory, written to a temporary name and moved into place.</summary>
public sealed partial class LocalDirectoryBlobStore : IBlobStore
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

    /// <summary>Keys are relative paths of lowercase letters, digits, '-', '_' and '.'; nothing can climb out of the root.</summary>
    public string PathOf(string key)
    {
        if (!KeyPattern().IsMatch(key) || key.Contains("..", StringComparison.Ordinal))
        {
            throw new ArgumentException($"Invalid blob key '{key}'.", nameof(key));
        }

        return Path.Combine(_root, key.Replace('/', Path.DirectorySeparatorChar));
    }

    [GeneratedRegex("^[a-z0-9_-][a-z0-9._-]*(/[a-z0-9_-][a-z0-9._-]*)*$")]
    private static partial Regex KeyPattern();
}

public static class BlobSetup
{
    public static IServiceCollection AddBlobStore(this IServiceCollection services)
    {
        services.AddOptions<BlobOptions>().BindConfiguration(BlobOptions.Section);
        services.AddSingleton<IBlobStore>(sp =>
        {
            var root = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<BlobOptions>>().Value.Root;
            return new LocalDirectoryBlobStore(string.IsNullOrWhiteSpace(root)
                ? Path.Combine(sp.GetRequiredService<IWebHostEnvironment>().ContentRootPath, ".local", "blobs")
                : root);
        });
        return services;
    }
}
