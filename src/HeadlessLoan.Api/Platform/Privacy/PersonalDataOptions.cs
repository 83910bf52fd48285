using System.ComponentModel.DataAnnotations;

namespace HeadlessLoan.Api.Platform.Privacy;

/// <summary>
/// Keys for personal data at rest. Several encryption keys may be listed (old ones stay to decrypt what they
/// wrote); new data is written with <see cref="CurrentKeyId"/>. The hash key makes lookups possible without
/// storing the value in clear; it cannot be rotated without re-hashing.
/// </summary>
public sealed class PersonalDataOptions : IValidatableObject
{
    public const string Section = "PersonalData";

    /// <summary>Key id → Base64 of 32 random bytes (AES-256).</summary>
    public Dictionary<string, string> Keys { get; init; } = new(StringComparer.Ordinal);

    [Required(ErrorMessage = "PersonalData:CurrentKeyId is required.")]
    public string CurrentKeyId { get; init; } = "";

    /// <summary>Base64 of at least 32 random bytes, for keyed lookup hashes (HMAC-SHA256).</summary>
    [Required(ErrorMessage = "PersonalData:HashKey is required (Base64 of at least 32 random bytes).")]
    public string HashKey { get; init; } = "";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Keys.ContainsKey(CurrentKeyId))
        {
            yield return new ValidationResult($"PersonalData:Keys must contain the current key id '{CurrentKeyId}'.");
        }

        foreach (var (id, value) in Keys)
        {
            if (id.Length is 0 or > PersonalDataProtector.MaxKeyIdLength || !id.All(char.IsAsciiLetterOrDigit))
            {
                yield return new ValidationResult($"PersonalData:Keys id '{id}' must be 1–{PersonalDataProtector.MaxKeyIdLength} ASCII letters or digits.");
            }

            if (DecodedLength(value) != 32)
            {
                yield return new ValidationResult($"PersonalData:Keys:{id} must be Base64 of exactly 32 bytes.");
            }
        }

        if (DecodedLength(HashKey) < 32)
        {
            yield return new ValidationResult("PersonalData:HashKey must be Base64 of at least 32 bytes.");
        }
    }

    private static int DecodedLength(string base64)
    {
        var buffer = new byte[base64.Length];
        return Convert.TryFromBase64String(base64, buffer, out var written) ? written : -1;
    }
}
