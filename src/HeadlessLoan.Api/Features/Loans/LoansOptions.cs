using System.ComponentModel.DataAnnotations;

namespace HeadlessLoan.Api.Features.Loans;

public sealed class LoansOptions
{
    public const string Section = "Loans";

    /// <summary>How long after its approval an offer may be accepted; after that the borrower applies again.</summary>
    [Range(1, 24 * 90, ErrorMessage = "Loans:OfferValidHours must be between 1 and 2160 (90 days).")]
    public int OfferValidHours { get; init; } = 72;

    /// <summary>Whether this process runs the payout worker (one of several instances may, all do by default: leases share the work).</summary>
    public bool PayoutsEnabled { get; init; } = true;

    [Range(10, 60_000, ErrorMessage = "Loans:PayoutPollMilliseconds must be between 10 and 60000.")]
    public int PayoutPollMilliseconds { get; init; } = 500;

    [Range(1, 100, ErrorMessage = "Loans:PayoutBatchSize must be between 1 and 100.")]
    public int PayoutBatchSize { get; init; } = 16;

    /// <summary>How long a submitted payout waits for the bank's callback before it is queried.</summary>
    [Range(1, 86_400, ErrorMessage = "Loans:PayoutQueryAfterSeconds must be between 1 and 86400.")]
    public int PayoutQueryAfterSeconds { get; init; } = 60;
}
