using HeadlessLoan.Domain.Collections;
using HeadlessLoan.Domain.Loans;
using HeadlessLoan.Domain.Overdue;

namespace HeadlessLoan.Domain.Tests.Collections;

public sealed class WriteOffRulesTests
{
    private static readonly Guid Collector = Guid.Parse("0190a000-0000-7000-8000-0000000000c1");
    private static readonly Guid Head = Guid.Parse("0190a000-0000-7000-8000-0000000000d1");

    [Theory]
    [InlineData(LoanStatus.Overdue, RiskClass.Loss, null)]
    [InlineData(LoanStatus.Overdue, RiskClass.Doubtful, "loan_not_loss")]
    [InlineData(LoanStatus.Active, RiskClass.Loss, "loan_not_overdue")]
    [InlineData(LoanStatus.WrittenOff, RiskClass.Loss, "loan_not_overdue")]
    [InlineData(LoanStatus.PaidOff, RiskClass.Normal, "loan_not_overdue")]
    public void Only_an_overdue_loss_loan_is_written_off(LoanStatus status, RiskClass riskClass, string? refusal) =>
        Assert.Equal(refusal, WriteOffRules.Refusal(status, riskClass));

    [Fact]
    public void The_approver_is_another_person_of_a_higher_role()
    {
        Assert.Null(WriteOffRules.ApprovalRefusal(Collector, 1, Head, 2));
        Assert.Equal("four_eyes_same_person", WriteOffRules.ApprovalRefusal(Head, 2, Head, 3));
        Assert.Equal("write_off_needs_senior_approver", WriteOffRules.ApprovalRefusal(Collector, 2, Head, 2));
        Assert.Equal("write_off_needs_senior_approver", WriteOffRules.ApprovalRefusal(Collector, 2, Head, 1));
    }

    [Theory]
    [InlineData(10_000, 0, 4_000, 4_000, 0)]
    [InlineData(10_000, 8_000, 4_000, 2_000, 2_000)]
    [InlineData(10_000, 10_000, 500, 0, 500)]
    public void A_recovery_is_at_most_what_was_written_off_and_not_recovered_the_rest_is_credit(
        long writtenOff, long before, long amount, long recovered, long credit) =>
        Assert.Equal((recovered, credit), WriteOffRules.Recovery(writtenOff, before, amount));
}
