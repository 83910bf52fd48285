using System.ComponentModel.DataAnnotations;

namespace HeadlessLoan.Api.Features.Loans;

public sealed class LoansOptions
{
    public const string Section = "Loans";

    /// <summary>How long after its approval an offer may be accepted; after that the borrower applies again.</summary>
    [Range(1, 24 * 90, ErrorMessage = "Loans:OfferValidHours must be between 1 and 2160 (90 days).")]
    public int OfferValidHours { get; init; } = 72;
}
