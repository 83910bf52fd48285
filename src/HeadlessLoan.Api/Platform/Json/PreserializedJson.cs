using System.IO.Compression;

namespace HeadlessLoan.Api.Platform.Json;

/// <summary>
/// A JSON body serialised once and sent many times, with its gzip form made on first demand. Fastest level:
/// the JSON is repetitive, so it still shrinks ~5×, and a body seen once is not worth a slower level.
/// </summary>
public sealed class PreserializedJson(byte[] json)
{
    private readonly Lazy<byte[]> _gzip = new(() => Compress(json));

    public byte[] Json => json;

    public byte[] Gzip => _gzip.Value;

    private static byte[] Compress(byte[] raw)
    {
        using var output = new MemoryStream(raw.Length / 4);
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(raw);
        }

        return output.ToArray();
    }
}
