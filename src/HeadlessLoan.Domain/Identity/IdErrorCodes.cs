namespace HeadlessLoan.Domain.Identity;

/// <summary>Stable codes for <see cref="IdCheck.ErrorCode"/>; the API returns them as problem codes.</summary>
public static class IdErrorCodes
{
    public const string FormatInvalid = "id_format_invalid";
    public const string RegionInvalid = "id_region_invalid";
    public const string BirthDateInvalid = "id_birth_date_invalid";
    public const string ChecksumInvalid = "id_checksum_invalid";
}
