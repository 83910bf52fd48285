using System.Globalization;
using HeadlessLoan.Api.Platform.Privacy;
using HeadlessLoan.Api.Integrations.WeChat;
using HeadlessLoan.Domain.Cards;
using HeadlessLoan.Domain.Identity;
using HeadlessLoan.Domain.Privacy;

namespace HeadlessLoan.Api.Features.Applications;

/// <summary>Stable codes of document rejections, with the field each concerns and the message shown to the user.</summary>
public static class DocumentErrorCodes
{
    public const string OcrUnreadable = "ocr_unreadable";
    public const string SideMismatch = "document_side_mismatch";
    public const string AgeOutOfRange = "age_out_of_range";
    public const string NameMismatch = "name_mismatch";
    public const string IdExpired = "id_expired";
    public const string ValidDateInvalid = "id_valid_date_invalid";

    private static readonly Dictionary<string, (string Field, string Message)> Catalogue = new(StringComparer.Ordinal)
    {
        [OcrUnreadable] = ("file", "The card could not be read from this image; photograph the whole card in good light."),
        [SideMismatch] = ("kind", "This image shows the other side of the ID card."),
        [IdErrorCodes.FormatInvalid] = ("idNumber", "The ID number read from the card is not 18 characters of the right form."),
        [IdErrorCodes.RegionInvalid] = ("idNumber", "The ID number's region code is not a valid province."),
        [IdErrorCodes.BirthDateInvalid] = ("idNumber", "The ID number's birth date is not a real date."),
        [IdErrorCodes.ChecksumInvalid] = ("idNumber", "The ID number's check character is wrong; the number was misread or is not genuine."),
        [AgeOutOfRange] = ("birthDate", "The applicant's age is outside what this product allows."),
        [NameMismatch] = ("name", "The name on the ID card differs from the declared name."),
        [IdExpired] = ("validDate", "The ID card has expired."),
        [ValidDateInvalid] = ("validDate", "The ID card's validity period could not be read."),
        [CardErrorCodes.FormatInvalid] = ("cardNumber", "The card number is not 16 to 19 digits."),
        [CardErrorCodes.LuhnInvalid] = ("cardNumber", "The card number's check digit is wrong; the number was misread or is not genuine."),
    };

    public static DocumentError ToError(string code) =>
        Catalogue.TryGetValue(code, out var entry) ? new DocumentError(code, entry.Field, entry.Message) : new DocumentError(code, "file", code);
}

/// <summary>What an accepted document contributes to its application (clear values, encrypted by the store).</summary>
public sealed record VerifiedIdentity(string IdNumber, string Name, DateOnly BirthDate);

public sealed record DocumentVerdict(
    IReadOnlyList<string> ErrorCodes,
    ExtractedFields Extracted,
    VerifiedIdentity? Identity = null,
    DateOnly? ValidUntil = null,
    bool NoExpiry = false,
    string? CardNumber = null,
    string? CardBank = null)
{
    public bool Accepted => ErrorCodes.Count == 0;
}

/// <summary>Checks what OCR read against the rules and the application; every failed rule is reported at once.</summary>
public static class DocumentChecks
{
    private static readonly ExtractedFields Nothing = new(null, null, null, null, null);

    public static DocumentVerdict Unreadable() => new([DocumentErrorCodes.OcrUnreadable], Nothing);

    public static DocumentVerdict IdFront(CVOCRIdCardResponse ocr, string declaredName, int ageMin, int ageMax, DateOnly today)
    {
        if (!string.Equals(ocr.Type, "Front", StringComparison.OrdinalIgnoreCase))
        {
            return new([DocumentErrorCodes.SideMismatch], Nothing);
        }

        var name = (ocr.Name ?? "").Trim();
        var number = (ocr.IdNumber ?? "").Trim();
        var errors = new List<string>();
        var check = ResidentIdNumber.Check(number, today);
        if (check.Id is null)
        {
            errors.Add(check.ErrorCode!);
        }
        else if (check.Id.AgeOn(today) is var age && (age < ageMin || age > ageMax))
        {
            errors.Add(DocumentErrorCodes.AgeOutOfRange);
        }

        if (!string.Equals(name, declaredName.Trim(), StringComparison.Ordinal))
        {
            errors.Add(DocumentErrorCodes.NameMismatch);
        }

        var extracted = new ExtractedFields(name.Length == 0 ? null : Mask.Name(name), number.Length == 0 ? null : Mask.IdNumber(number), null, null, null);
        return errors.Count > 0
            ? new DocumentVerdict(errors, extracted)
            : new DocumentVerdict(errors, extracted, Identity: new VerifiedIdentity(check.Id!.Value, name, check.Id.BirthDate));
    }

    /// <summary><c>valid_date</c> is <c>YYYYMMDD-YYYYMMDD</c>; an end of 长期 means the card does not expire.</summary>
    public static DocumentVerdict IdBack(CVOCRIdCardResponse ocr, DateOnly today)
    {
        if (!string.Equals(ocr.Type, "Back", StringComparison.OrdinalIgnoreCase))
        {
            return new([DocumentErrorCodes.SideMismatch], Nothing);
        }

        var parts = (ocr.ValidDate ?? "").Split('-', StringSplitOptions.TrimEntries);
        if (parts.Length != 2 || !TryDate(parts[0], out _))
        {
            return new([DocumentErrorCodes.ValidDateInvalid], Nothing);
        }

        if (parts[1] == "长期")
        {
            return new([], Nothing, NoExpiry: true);
        }

        if (!TryDate(parts[1], out var end))
        {
            return new([DocumentErrorCodes.ValidDateInvalid], Nothing);
        }

        var extracted = Nothing with { ValidUntil = end };
        return end < today ? new([DocumentErrorCodes.IdExpired], extracted) : new([], extracted, ValidUntil: end);
    }

    public static DocumentVerdict BankCard(CVOCRBankCardResponse ocr, CardBins bins)
    {
        var number = ocr.CardNumber ?? "";
        var masked = number.Length == 0 ? null : Mask.CardNumber(number);
        if (BankCardNumber.Check(number) is { } code)
        {
            return new([code], Nothing with { CardNumber = masked });
        }

        var bank = bins.BankOf(number);
        return new([], Nothing with { CardNumber = masked, CardBank = bank }, CardNumber: number, CardBank: bank);
    }

    private static bool TryDate(string text, out DateOnly date) =>
        DateOnly.TryParseExact(text, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
}
