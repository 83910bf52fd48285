namespace HeadlessLoan.Domain.Decisions;

/// <summary>
/// The stable codes of the automatic decision's reasons (docs/decisions.md says what each means and which setting
/// moves it). The contract lists them, with the approval workflow's codes, as <c>ApplicationReasonCode</c>.
/// </summary>
public static class DecisionReasonCodes
{
    public const string AutoApproved = "auto_approved";

    /// <summary>Approved without people because the amount is within the borrower's free credit line (fast track).</summary>
    public const string WithinCreditLine = "within_credit_line";

    // Hard rules: any one rejects.
    public const string BureauBlacklisted = "bureau_blacklisted";
    public const string FraudSharedDevice = "fraud_shared_device";
    public const string FraudRepeatedIdentity = "fraud_repeated_identity";
    public const string FraudRepeatedCard = "fraud_repeated_card";
    public const string AgeOutOfRange = "age_out_of_range";
    public const string BureauScoreTooLow = "bureau_score_too_low";

    // Warning signs: each sends the application to people.
    public const string BureauUnavailable = "bureau_unavailable";
    public const string ScoreBelowAutoApproval = "score_below_auto_approval";
    public const string BureauOverdueRecords = "bureau_overdue_records";
    public const string BureauManyInquiries = "bureau_many_inquiries";
    public const string IpRegionMismatch = "ip_region_mismatch";
    public const string AmountAboveAutoLimit = "amount_above_auto_limit";

    /// <summary>Every code the automatic decision gives.</summary>
    public static IReadOnlyList<string> All { get; } = Array.AsReadOnly(
    [
        AutoApproved, WithinCreditLine, BureauBlacklisted, FraudSharedDevice, FraudRepeatedIdentity, FraudRepeatedCard, AgeOutOfRange, BureauScoreTooLow,
        BureauUnavailable, ScoreBelowAutoApproval, BureauOverdueRecords, BureauManyInquiries, IpRegionMismatch, AmountAboveAutoLimit,
    ]);
}
