using System.Security.Cryptography;
using System.Text;

namespace HeadlessLoan.Domain.Ledger;

/// <summary>
/// A journal entry's id from what the movement is (a payout number, a WeChat Pay transaction id): the same movement
/// always maps to the same id, so posting it again finds the first posting. A name-based UUID (RFC 9562 version 8,
/// SHA-256 of the kind and the source), so ids from different kinds never meet.
/// </summary>
public static class EntryIds
{
    public static Guid For(string kind, string source)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentException.ThrowIfNullOrEmpty(source);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(kind + "\n" + source), hash);
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80); // version 8
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC variant
        return new Guid(bytes, bigEndian: true);
    }
}
