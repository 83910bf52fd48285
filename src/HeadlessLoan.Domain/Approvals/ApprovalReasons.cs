namespace HeadlessLoan.Domain.Approvals;

/// <summary>
/// The reason codes staff choose when they reject or return an application, each with the plain words the
/// borrower reads. Staff comments stay internal; the borrower sees only these sentences.
/// </summary>
public static class ApprovalReasons
{
    public static readonly IReadOnlyDictionary<string, string> Rejections = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["insufficient_income"] = "Your income is not enough for the repayments of this loan.",
        ["high_debt_burden"] = "You already have too many debts to take on this loan.",
        ["credit_history"] = "Your credit history does not meet our lending standards.",
        ["information_inconsistent"] = "The information in your application could not be confirmed.",
        ["suspected_fraud"] = "We could not verify your identity for this application.",
        ["policy_not_met"] = "Your application does not meet our lending policy.",
    };

    public static readonly IReadOnlyDictionary<string, string> Returns = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["documents_unclear"] = "A document photo is unclear. Please upload a clearer photo and submit again.",
        ["more_documents_needed"] = "We need more documents to decide. Please add them and submit again.",
        ["information_mismatch"] = "Some details do not match your documents. Please check them and submit again.",
    };

    /// <summary>What the borrower reads after a final approval.</summary>
    public const string ApprovedMessage = "Your application has been approved.";

    public const string ApprovedCode = "approved";

    /// <summary>
    /// The one reason an ended round gives the applicant: the approval sentence, or the sentence of the reviewer's
    /// <paramref name="reasonCode"/> (validated against <see cref="Rejections"/> or <see cref="Returns"/> before).
    /// </summary>
    public static (string Code, string Message) For(RoundOutcome outcome, string? reasonCode) => outcome switch
    {
        RoundOutcome.Approved => (ApprovedCode, ApprovedMessage),
        RoundOutcome.Rejected => (reasonCode!, Rejections[reasonCode!]),
        RoundOutcome.Returned => (reasonCode!, Returns[reasonCode!]),
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "Unknown round outcome."),
    };
}
