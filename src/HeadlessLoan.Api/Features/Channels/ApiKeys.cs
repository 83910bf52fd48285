using System.Security.Cryptography;
using System.Text;

namespace HeadlessLoan.Api.Features.Channels;

/// <summary>
/// Channel API keys: <c>hlk_</c> + 40 random base-62 characters. The prefix makes a leaked key easy to
/// recognise in logs and scanners; only the SHA-256 of the whole key is stored.
/// </summary>
public static class ApiKeys
{
    public const string Prefix = "hlk_";
    private const int RandomLength = 40;
    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static readonly System.Buffers.SearchValues<char> AlphabetChars = System.Buffers.SearchValues.Create(Alphabet);

    public static string Generate() => Prefix + RandomNumberGenerator.GetString(Alphabet, RandomLength);

    public static bool LooksValid(string key) =>
        key.Length == Prefix.Length + RandomLength
        && key.StartsWith(Prefix, StringComparison.Ordinal)
        && key.AsSpan(Prefix.Length).IndexOfAnyExcept(AlphabetChars) < 0;

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>What may be shown again after creation: enough to tell keys apart, useless to an attacker.</summary>
    public static string DisplayPrefix(string key) => key[..(Prefix.Length + 6)];
}
