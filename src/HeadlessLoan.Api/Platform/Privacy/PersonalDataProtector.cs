using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace HeadlessLoan.Api.Platform.Privacy;

/// <summary>
/// Encrypts personal data (ID numbers, card numbers, phones, names, addresses) with AES-256-GCM. The stored
/// blob carries its key id, so keys can rotate: <c>version(1) | keyIdLength(1) | keyId | nonce(12) | tag(16) | ciphertext</c>.
/// The field's purpose is bound as associated data, so a ciphertext moved to another column does not decrypt.
/// </summary>
public sealed class PersonalDataProtector
{
    /// <summary>The longest key id (<c>PersonalData:Keys</c>).</summary>
    public const int MaxKeyIdLength = 32;

    /// <summary>What the envelope adds to the UTF-8 plaintext at most: version, key id length, key id, nonce and tag (62 bytes).</summary>
    public const int MaxOverheadBytes = 2 + MaxKeyIdLength + NonceSize + TagSize;

    /// <summary>UTF-8 spends at most 4 bytes on a character (one outside the BMP; a CJK character in the BMP takes 3).</summary>
    public const int MaxBytesPerCharacter = 4;

    private const byte Version = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    /// <summary>
    /// The longest blob a value of at most <paramref name="maxCharacters"/> characters (code points, as the contract
    /// counts them) can become: the size its column must hold. The ciphertext is as long as the plaintext (GCM), and the
    /// blob is stored as bytes, not Base64 or hex.
    /// </summary>
    public static int MaxBlobBytes(int maxCharacters) => MaxOverheadBytes + (MaxBytesPerCharacter * maxCharacters);

    private readonly Dictionary<string, byte[]> _keys;
    private readonly string _currentKeyId;
    private readonly byte[] _hashKey;

    public PersonalDataProtector(IOptions<PersonalDataOptions> options)
    {
        var o = options.Value;
        _keys = o.Keys.ToDictionary(k => k.Key, k => Convert.FromBase64String(k.Value), StringComparer.Ordinal);
        _currentKeyId = o.CurrentKeyId;
        _hashKey = Convert.FromBase64String(o.HashKey);
    }

    public byte[] Encrypt(string plaintext, string purpose) => EncryptBytes(Encoding.UTF8.GetBytes(plaintext), purpose);

    /// <summary>The same envelope for binary data (document images): key id, nonce and tag travel with it.</summary>
    public byte[] EncryptBytes(ReadOnlySpan<byte> data, string purpose)
    {
        var keyId = Encoding.ASCII.GetBytes(_currentKeyId);
        var blob = new byte[2 + keyId.Length + NonceSize + TagSize + data.Length];
        blob[0] = Version;
        blob[1] = (byte)keyId.Length;
        keyId.CopyTo(blob, 2);
        var offset = 2 + keyId.Length;
        var nonce = blob.AsSpan(offset, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_keys[_currentKeyId], TagSize);
        aes.Encrypt(nonce, data, blob.AsSpan(offset + NonceSize + TagSize), blob.AsSpan(offset + NonceSize, TagSize), Encoding.UTF8.GetBytes(purpose));
        return blob;
    }

    public string Decrypt(byte[] blob, string purpose) => Encoding.UTF8.GetString(DecryptBytes(blob, purpose));

    public byte[] DecryptBytes(byte[] blob, string purpose)
    {
        if (blob.Length < 2 || blob[0] != Version || blob.Length < 2 + blob[1] + NonceSize + TagSize)
        {
            throw new CryptographicException("Not a personal-data ciphertext.");
        }

        var keyId = Encoding.ASCII.GetString(blob, 2, blob[1]);
        if (!_keys.TryGetValue(keyId, out var key))
        {
            throw new CryptographicException($"Personal-data key '{keyId}' is not configured.");
        }

        var offset = 2 + blob[1];
        var cipher = blob.AsSpan(offset + NonceSize + TagSize);
        var plain = new byte[cipher.Length];
        using var aes = new AesGcm(key, TagSize);
        aes.Decrypt(blob.AsSpan(offset, NonceSize), cipher, blob.AsSpan(offset + NonceSize, TagSize), plain, Encoding.UTF8.GetBytes(purpose));
        return plain;
    }

    /// <summary>The key id a blob was written with (for re-encryption after rotation).</summary>
    public static string KeyIdOf(byte[] blob) => Encoding.ASCII.GetString(blob, 2, blob[1]);

    /// <summary>A keyed hash for lookups and duplicate checks; equal values of one purpose hash equal.</summary>
    public byte[] LookupHash(string value, string purpose) =>
        HMACSHA256.HashData(_hashKey, Encoding.UTF8.GetBytes(purpose + "\n" + value));
}

/// <summary>Purposes bound into ciphertexts and hashes; one per kind of field.</summary>
public static class PersonalDataPurpose
{
    public const string Phone = "phone";
    public const string WeChatSessionKey = "wechat_session_key";
    public const string IdNumber = "id_number";
    public const string CardNumber = "card_number";
    public const string Name = "name";
    public const string Address = "address";
    public const string BureauReport = "bureau_report";
    public const string DocumentImage = "document_image";
}
