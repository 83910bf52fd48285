namespace HeadlessLoan.Domain.Decisions;

public enum DecisionOutcome
{
    /// <summary>Within the product's auto-approval limit with a good report and no warning signs.</summary>
    AutoApproved,

    /// <summary>A hard rule failed: blacklist, fraud hit, age, bureau score below the minimum.</summary>
    AutoRejected,

    /// <summary>Needs people: handed to the approval workflow with the reasons why.</summary>
    PendingApproval,
}

/// <summary>One reason behind a decision; <see cref="Code"/> is stable, <see cref="Message"/> is for people.</summary>
public sealed record DecisionReason(string Code, string Message);

/// <summary>What the credit bureau reported.</summary>
public sealed record BureauReport(int Score, int OverdueRecords, int RecentInquiries, bool Blacklisted);

/// <summary>Anti-fraud counts gathered for one application.</summary>
/// <param name="BorrowersOnDevice">Distinct borrowers who applied from this device fingerprint within the window, this one included.</param>
/// <param name="IpRegionMismatch">The request address's province differs from the declared one (false when unknown).</param>
/// <param name="ApplicationsWithSameId">Applications with this ID number within the window, this one included.</param>
/// <param name="ApplicationsWithSameCard">Applications with this bank card within the window, this one included.</param>
public sealed record FraudSignals(int BorrowersOnDevice, bool IpRegionMismatch, int ApplicationsWithSameId, int ApplicationsWithSameCard);

/// <summary>The applicant and product facts the rules need; <paramref name="CreditLine"/> is null for an applicant without a line.</summary>
public sealed record ApplicantFacts(long Amount, int Age, int AgeMin, int AgeMax, long AutoApprovalLimit, CreditLineStanding? CreditLine = null);

/// <summary>Where a returning borrower's credit line stands: what of it is free, and whether a loan of theirs is overdue.</summary>
public sealed record CreditLineStanding(long Available, bool HasOverdueLoan);

/// <summary>Thresholds of one version of the intake rules; the version is recorded with every decision.</summary>
public sealed record DecisionPolicy(
    string Version,
    int MinBureauScore,
    int AutoApproveMinScore,
    int MaxOverdueRecordsForAutoApproval,
    int MaxRecentInquiriesForAutoApproval,
    int MaxBorrowersPerDevice,
    int MaxApplicationsPerIdentity,
    bool FastTrackWithinCreditLine = false);

public sealed record Decision(DecisionOutcome Outcome, IReadOnlyList<DecisionReason> Reasons, string PolicyVersion);
