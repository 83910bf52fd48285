namespace HeadlessLoan.Domain.Decisions;

/// <summary>
/// The automatic decision after the credit check. Hard rules reject; otherwise an application within the
/// product's auto-approval limit with a good report and no warning signs is approved; everything else goes to
/// people with the reasons listed. Every reason found is reported, not only the first. Where the policy fast-tracks
/// returning borrowers, an amount above the product's limit but within the borrower's free credit line (and no loan
/// of theirs overdue) is approved as well: the line is what the company already decided to lend them. Every other
/// warning sign still sends it to people, and the hard rules still reject.
/// </summary>
public static class DecisionEngine
{
    public static Decision Decide(ApplicantFacts applicant, BureauReport? report, FraudSignals signals, DecisionPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(applicant);
        ArgumentNullException.ThrowIfNull(signals);
        ArgumentNullException.ThrowIfNull(policy);

        var rejections = Rejections(applicant, report, signals, policy);
        if (rejections.Count > 0)
        {
            return new Decision(DecisionOutcome.AutoRejected, rejections, policy.Version);
        }

        var reviews = Reviews(applicant, report, signals, policy);
        if (reviews.Count > 0)
        {
            return new Decision(DecisionOutcome.PendingApproval, reviews, policy.Version);
        }

        return applicant.Amount > applicant.AutoApprovalLimit
            ? new Decision(DecisionOutcome.AutoApproved, [new(DecisionReasonCodes.WithinCreditLine, "Within the borrower's free credit line with a good credit report.")], policy.Version)
            : new Decision(DecisionOutcome.AutoApproved, [new(DecisionReasonCodes.AutoApproved, "Within the automatic-approval limit with a good credit report.")], policy.Version);
    }

    /// <summary>The policy fast-tracks this applicant's amount: within their free line, no loan of theirs overdue.</summary>
    public static bool FastTracked(ApplicantFacts applicant, DecisionPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(applicant);
        ArgumentNullException.ThrowIfNull(policy);
        return policy.FastTrackWithinCreditLine && applicant.CreditLine is { HasOverdueLoan: false } line && applicant.Amount <= line.Available;
    }

    /// <summary>The hard rules the application breaks: any one rejects it.</summary>
    private static List<DecisionReason> Rejections(ApplicantFacts applicant, BureauReport? report, FraudSignals signals, DecisionPolicy policy)
    {
        var rejections = new List<DecisionReason>();
        if (report is { Blacklisted: true })
        {
            rejections.Add(new(DecisionReasonCodes.BureauBlacklisted, "The credit bureau lists the applicant on a blacklist."));
        }

        if (signals.BorrowersOnDevice >= policy.MaxBorrowersPerDevice)
        {
            rejections.Add(new(DecisionReasonCodes.FraudSharedDevice, $"The device was used by {signals.BorrowersOnDevice} different applicants recently."));
        }

        if (signals.ApplicationsWithSameId > policy.MaxApplicationsPerIdentity)
        {
            rejections.Add(new(DecisionReasonCodes.FraudRepeatedIdentity, $"{signals.ApplicationsWithSameId} recent applications carry this ID number."));
        }

        if (signals.ApplicationsWithSameCard > policy.MaxApplicationsPerIdentity)
        {
            rejections.Add(new(DecisionReasonCodes.FraudRepeatedCard, $"{signals.ApplicationsWithSameCard} recent applications carry this bank card."));
        }

        if (applicant.Age < applicant.AgeMin || applicant.Age > applicant.AgeMax)
        {
            rejections.Add(new(DecisionReasonCodes.AgeOutOfRange, $"The product lends to ages {applicant.AgeMin}–{applicant.AgeMax}; the applicant is {applicant.Age}."));
        }

        if (report is not null && report.Score < policy.MinBureauScore)
        {
            rejections.Add(new(DecisionReasonCodes.BureauScoreTooLow, $"Credit score {report.Score} is below the minimum of {policy.MinBureauScore}."));
        }

        return rejections;
    }

    /// <summary>What keeps the application from automatic approval: each one sends it to people.</summary>
    private static List<DecisionReason> Reviews(ApplicantFacts applicant, BureauReport? report, FraudSignals signals, DecisionPolicy policy)
    {
        var reviews = new List<DecisionReason>();
        if (report is null)
        {
            reviews.Add(new(DecisionReasonCodes.BureauUnavailable, "The credit bureau did not answer in time; a person checks the applicant."));
        }
        else
        {
            if (report.Score < policy.AutoApproveMinScore)
            {
                reviews.Add(new(DecisionReasonCodes.ScoreBelowAutoApproval, $"Credit score {report.Score} is below the automatic-approval threshold of {policy.AutoApproveMinScore}."));
            }

            if (report.OverdueRecords > policy.MaxOverdueRecordsForAutoApproval)
            {
                reviews.Add(new(DecisionReasonCodes.BureauOverdueRecords, $"The bureau reports {report.OverdueRecords} overdue records."));
            }

            if (report.RecentInquiries > policy.MaxRecentInquiriesForAutoApproval)
            {
                reviews.Add(new(DecisionReasonCodes.BureauManyInquiries, $"The bureau reports {report.RecentInquiries} recent credit inquiries."));
            }
        }

        if (signals.IpRegionMismatch)
        {
            // Travel and mobile networks make this a warning sign, not proof: people look at it.
            reviews.Add(new(DecisionReasonCodes.IpRegionMismatch, "The application came from a different province than the declared address."));
        }

        if (applicant.Amount > applicant.AutoApprovalLimit && !FastTracked(applicant, policy))
        {
            reviews.Add(new(DecisionReasonCodes.AmountAboveAutoLimit, $"The amount exceeds the product's automatic-approval limit of {applicant.AutoApprovalLimit} fen."));
        }

        return reviews;
    }
}
