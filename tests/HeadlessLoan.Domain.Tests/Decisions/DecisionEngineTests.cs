using HeadlessLoan.Domain.Decisions;

namespace HeadlessLoan.Domain.Tests.Decisions;

public sealed class DecisionEngineTests
{
    private static readonly DecisionPolicy Policy = new("intake-v1", MinBureauScore: 550, AutoApproveMinScore: 650,
        MaxOverdueRecordsForAutoApproval: 0, MaxRecentInquiriesForAutoApproval: 4, MaxBorrowersPerDevice: 3, MaxApplicationsPerIdentity: 3);

    private static readonly ApplicantFacts Applicant = new(Amount: 500_000, Age: 36, AgeMin: 22, AgeMax: 55, AutoApprovalLimit: 1_000_000);
    private static readonly BureauReport Good = new(Score: 720, OverdueRecords: 0, RecentInquiries: 1, Blacklisted: false);
    private static readonly FraudSignals Clean = new(BorrowersOnDevice: 1, IpRegionMismatch: false, ApplicationsWithSameId: 1, ApplicationsWithSameCard: 1);

    private static IEnumerable<string> Codes(Decision d) => d.Reasons.Select(r => r.Code);

    [Fact]
    public void SmallAmountGoodReportAndNoSignsIsApprovedAutomatically()
    {
        var decision = DecisionEngine.Decide(Applicant, Good, Clean, Policy);

        Assert.Equal(DecisionOutcome.AutoApproved, decision.Outcome);
        Assert.Equal("intake-v1", decision.PolicyVersion);
    }

    [Fact]
    public void BlacklistRejectsEvenWithAGoodScore()
    {
        var decision = DecisionEngine.Decide(Applicant, Good with { Blacklisted = true }, Clean, Policy);

        Assert.Equal(DecisionOutcome.AutoRejected, decision.Outcome);
        Assert.Equal(["bureau_blacklisted"], Codes(decision));
    }

    [Fact]
    public void EveryHardRuleThatFailsIsListed()
    {
        var decision = DecisionEngine.Decide(
            Applicant with { Age = 60 },
            Good with { Score = 420 },
            Clean with { BorrowersOnDevice = 3, ApplicationsWithSameId = 4, ApplicationsWithSameCard = 5 },
            Policy);

        Assert.Equal(DecisionOutcome.AutoRejected, decision.Outcome);
        Assert.Equal(["fraud_shared_device", "fraud_repeated_identity", "fraud_repeated_card", "age_out_of_range", "bureau_score_too_low"], Codes(decision));
    }

    [Fact]
    public void DeviceRuleCountsThisApplicantAmongTheBorrowers()
    {
        Assert.Equal(DecisionOutcome.AutoApproved, DecisionEngine.Decide(Applicant, Good, Clean with { BorrowersOnDevice = 2 }, Policy).Outcome);
        Assert.Equal(DecisionOutcome.AutoRejected, DecisionEngine.Decide(Applicant, Good, Clean with { BorrowersOnDevice = 3 }, Policy).Outcome);
    }

    [Fact]
    public void AmountAboveTheAutoLimitGoesToPeople()
    {
        var decision = DecisionEngine.Decide(Applicant with { Amount = 1_000_001 }, Good, Clean, Policy);

        Assert.Equal(DecisionOutcome.PendingApproval, decision.Outcome);
        Assert.Equal(["amount_above_auto_limit"], Codes(decision));
    }

    [Fact]
    public void AmountExactlyAtTheAutoLimitIsApproved() =>
        Assert.Equal(DecisionOutcome.AutoApproved, DecisionEngine.Decide(Applicant with { Amount = 1_000_000 }, Good, Clean, Policy).Outcome);

    [Fact]
    public void WarningSignsGoToPeopleWithEveryReason()
    {
        var decision = DecisionEngine.Decide(Applicant, new BureauReport(600, 3, 6, false), Clean with { IpRegionMismatch = true }, Policy);

        Assert.Equal(DecisionOutcome.PendingApproval, decision.Outcome);
        Assert.Equal(["score_below_auto_approval", "bureau_overdue_records", "bureau_many_inquiries", "ip_region_mismatch"], Codes(decision));
    }

    [Fact]
    public void NoBureauAnswerNeverApprovesAutomatically()
    {
        var decision = DecisionEngine.Decide(Applicant, null, Clean, Policy);

        Assert.Equal(DecisionOutcome.PendingApproval, decision.Outcome);
        Assert.Equal(["bureau_unavailable"], Codes(decision));
    }

    [Fact]
    public void NoBureauAnswerStillRejectsOnHardRules() =>
        Assert.Equal(DecisionOutcome.AutoRejected, DecisionEngine.Decide(Applicant with { Age = 19 }, null, Clean, Policy).Outcome);

    [Fact]
    public void ScoreExactlyAtTheMinimumIsNotRejected() =>
        Assert.Equal(DecisionOutcome.PendingApproval, DecisionEngine.Decide(Applicant, Good with { Score = 550 }, Clean, Policy).Outcome);

    private static readonly DecisionPolicy FastTrack = Policy with { FastTrackWithinCreditLine = true };

    [Fact]
    public void AboveTheAutoLimitButWithinTheFreeLineIsFastTrackedWhereThePolicySaysSo()
    {
        var returning = Applicant with { Amount = 1_500_000, CreditLine = new CreditLineStanding(Available: 1_500_000, HasOverdueLoan: false) };

        var decision = DecisionEngine.Decide(returning, Good, Clean, FastTrack);

        Assert.Equal(DecisionOutcome.AutoApproved, decision.Outcome);
        Assert.Equal(["within_credit_line"], Codes(decision));
        Assert.Equal(["amount_above_auto_limit"], Codes(DecisionEngine.Decide(returning, Good, Clean, Policy)));
    }

    [Fact]
    public void WithinTheAutoLimitAReturningBorrowerIsApprovedAsAnyOther() =>
        Assert.Equal(["auto_approved"], Codes(DecisionEngine.Decide(
            Applicant with { CreditLine = new CreditLineStanding(2_000_000, false) }, Good, Clean, FastTrack)));

    [Theory]
    [InlineData(1_500_001, false)] // a fen above what is free
    [InlineData(1_200_000, true)] // within the line, but a loan of theirs is overdue
    public void AboveTheFreeLineOrWithALoanOverdueGoesToPeople(long amount, bool overdue)
    {
        var decision = DecisionEngine.Decide(
            Applicant with { Amount = amount, CreditLine = new CreditLineStanding(1_500_000, overdue) }, Good, Clean, FastTrack);

        Assert.Equal(DecisionOutcome.PendingApproval, decision.Outcome);
        Assert.Equal(["amount_above_auto_limit"], Codes(decision));
    }

    [Fact]
    public void TheFastTrackWaivesOnlyTheAmountLimitNotTheOtherSignsOrTheHardRules()
    {
        var returning = Applicant with { Amount = 1_500_000, CreditLine = new CreditLineStanding(1_500_000, false) };

        Assert.Equal(["score_below_auto_approval"], Codes(DecisionEngine.Decide(returning, Good with { Score = 600 }, Clean, FastTrack)));
        Assert.Equal(["bureau_unavailable"], Codes(DecisionEngine.Decide(returning, null, Clean, FastTrack)));
        Assert.Equal(DecisionOutcome.AutoRejected, DecisionEngine.Decide(returning, Good with { Blacklisted = true }, Clean, FastTrack).Outcome);
    }
}
