using HeadlessLoan.Domain.Ledger;
using HeadlessLoan.Domain.Loans;
using HeadlessLoan.Domain.Overdue;

namespace HeadlessLoan.Domain.Tests.Overdue;

public sealed class CobStepTests
{
    private static readonly DateOnly Disbursed = new(2026, 1, 15);
    private static readonly DateOnly FirstDue = new(2026, 2, 15);
    private static readonly DateOnly SecondDue = new(2026, 3, 15);

    /// <summary>2,000 CNY over two months, 10 CNY fee a period; 0.05 % a day penalty within 24 %, at most 200 CNY of it.</summary>
    private static readonly LoanPeriod[] Periods =
    [
        new(1, FirstDue, new LoanComponents(100_000, 1_700, 0, 1_000), default),
        new(2, SecondDue, new LoanComponents(100_000, 850, 0, 1_000), default),
    ];

    private static readonly PenaltyTerms Terms = new(0.0005m, 0.24m, 20_000);

    private static LoanCobFacts Loan(LoanStatus status = LoanStatus.Active, DateOnly? closedThrough = null, RiskClass riskClass = RiskClass.Normal) =>
        new(status, Disbursed, Periods, Terms, closedThrough, riskClass, null, Periods.Sum(p => p.Due.Penalty));

    private static OverdueAssessment Close(LoanCobFacts loan, DateOnly cobDate) => CobStep.Assess(loan, cobDate, ClassificationTable.Default);

    private static LoanCobFacts After(LoanCobFacts loan, OverdueAssessment a) => CobStepProperties.After(loan, a);

    [Fact]
    public void On_its_due_date_an_unpaid_period_is_not_overdue_yet()
    {
        var a = Close(Loan(closedThrough: FirstDue.AddDays(-1)), FirstDue);

        Assert.Empty(a.BecameOverdue);
        Assert.Equal(0, a.DaysPastDue);
        Assert.Equal(0, a.PenaltyToAccrue);
        Assert.Null(a.Event);
        Assert.Equal(RiskClass.Normal, a.ClassAfter);
        Assert.False(a.ClassMoved);
    }

    [Fact]
    public void The_day_after_it_goes_overdue_is_charged_a_day_and_moves_to_special_mention()
    {
        var a = Close(Loan(closedThrough: FirstDue), FirstDue.AddDays(1));

        Assert.Equal([1], a.BecameOverdue);
        Assert.Equal(1, a.DaysPastDue);
        Assert.Equal([new PeriodPenalty(1, 50)], a.Penalties);
        Assert.Equal(LoanEvent.MarkOverdue, a.Event);
        Assert.True(a.WentOverdue);
        Assert.Equal((RiskClass.Normal, RiskClass.SpecialMention, RiskClass.SpecialMention), (a.ClassBefore, a.ClassByTable, a.ClassAfter));
        Assert.True(a.ClassMoved);
        Assert.Equal(1, a.TableVersion);
    }

    [Fact]
    public void The_next_day_charges_another_day_and_asks_for_no_event()
    {
        var first = Loan(closedThrough: FirstDue);
        var day1 = Close(first, FirstDue.AddDays(1));

        var day2 = Close(After(first, day1), FirstDue.AddDays(2));

        Assert.Empty(day2.BecameOverdue);
        Assert.Equal(2, day2.DaysPastDue);
        Assert.Equal(50, day2.PenaltyToAccrue);
        Assert.Null(day2.Event);
        Assert.False(day2.WentOverdue);
        Assert.False(day2.ClassMoved);
    }

    [Fact]
    public void Closing_the_same_day_again_charges_nothing_and_moves_nothing()
    {
        var loan = Loan(closedThrough: FirstDue);
        var once = Close(loan, FirstDue.AddDays(1));

        var again = Close(After(loan, once), FirstDue.AddDays(1));

        Assert.Empty(again.BecameOverdue);
        Assert.Empty(again.Penalties);
        Assert.Null(again.Event);
        Assert.False(again.ClassMoved);
        Assert.Equal(once.DaysPastDue, again.DaysPastDue);
    }

    [Fact]
    public void Past_ninety_days_the_loan_is_substandard_and_every_overdue_period_is_charged()
    {
        var cobDate = FirstDue.AddDays(91);

        var a = Close(Loan(LoanStatus.Overdue, cobDate.AddDays(-1), RiskClass.SpecialMention), cobDate);

        Assert.Equal(91, a.DaysPastDue);
        Assert.Equal(RiskClass.Substandard, a.ClassAfter);
        Assert.True(a.ClassMoved);
        Assert.Equal([new PeriodPenalty(1, 50), new PeriodPenalty(2, 50)], a.Penalties);
        Assert.Null(a.Event);
    }

    [Fact]
    public void A_period_with_its_principal_paid_is_overdue_but_charged_no_penalty()
    {
        var loan = Loan(closedThrough: FirstDue) with { Periods = [Periods[0] with { Paid = new LoanComponents(100_000, 0, 0, 0) }, Periods[1]] };

        var a = Close(loan, FirstDue.AddDays(1));

        Assert.Equal(1, a.DaysPastDue);
        Assert.Empty(a.Penalties);
        Assert.Equal(LoanEvent.MarkOverdue, a.Event);
    }

    [Fact]
    public void An_overdue_loan_with_nothing_past_due_any_more_catches_up_and_is_normal_again()
    {
        var loan = Loan(LoanStatus.Overdue, FirstDue.AddDays(3), RiskClass.SpecialMention) with
        {
            Periods = [Periods[0] with { Due = Periods[0].Due with { Penalty = 150 }, Paid = Periods[0].Due with { Penalty = 150 } }, Periods[1]],
        };

        var a = Close(loan, FirstDue.AddDays(4));

        Assert.Equal(LoanEvent.CatchUp, a.Event);
        Assert.True(LoanLifecycle.Allows(LoanStatus.Overdue, LoanEvent.CatchUp));
        Assert.Equal(0, a.DaysPastDue);
        Assert.Equal(RiskClass.Normal, a.ClassAfter);
        Assert.Empty(a.Penalties);
    }

    [Fact]
    public void Penalty_charged_to_periods_already_settled_still_counts_against_the_cap()
    {
        var cobDate = SecondDue.AddDays(1);
        var loan = Loan(LoanStatus.Active, SecondDue) with { Periods = [Periods[1]], PenaltyCharged = 19_990 };

        var a = Close(loan, cobDate);

        Assert.Equal([new PeriodPenalty(2, 10)], a.Penalties);
    }

    [Fact]
    public void The_cap_leaves_what_is_left_of_it_to_the_oldest_period_first()
    {
        var cobDate = SecondDue.AddDays(1);
        var loan = Loan(LoanStatus.Overdue, SecondDue, RiskClass.SpecialMention) with
        {
            Periods = [Periods[0] with { Due = Periods[0].Due with { Penalty = 19_970 } }, Periods[1]],
            PenaltyCharged = 19_970,
        };

        var a = Close(loan, cobDate);

        Assert.Equal([2], a.BecameOverdue);
        Assert.Equal([new PeriodPenalty(1, 30)], a.Penalties);
        Assert.Equal(0, Close(After(loan, a), cobDate.AddDays(1)).PenaltyToAccrue);
    }

    [Fact]
    public void A_standing_override_sets_the_class_but_not_the_status()
    {
        var technical = new ClassOverride(RiskClass.Normal, Guid.CreateVersion7(), Guid.CreateVersion7(), "the debit failed on the bank's side");

        var a = Close(Loan(closedThrough: FirstDue) with { Override = technical }, FirstDue.AddDays(1));

        Assert.Equal(RiskClass.SpecialMention, a.ClassByTable);
        Assert.Equal(RiskClass.Normal, a.ClassAfter);
        Assert.False(a.ClassMoved);
        Assert.Equal(LoanEvent.MarkOverdue, a.Event);
        Assert.Throws<ArgumentException>(() => Close(Loan(closedThrough: FirstDue) with { Override = technical with { ApprovedBy = technical.RequestedBy } }, FirstDue.AddDays(1)));
    }

    [Fact]
    public void A_loan_left_behind_closes_its_unclosed_days_at_once_as_day_by_day_would()
    {
        // 15 CNY overdue at 0.03 % a day is 0.45 fen a day: five days are 2.25 → 2 fen, whichever way they are closed.
        var loan = Loan(closedThrough: FirstDue) with
        {
            Periods = [Periods[0] with { Paid = new LoanComponents(98_500, 0, 0, 0) }, Periods[1]],
            Penalty = Terms with { DailyRate = 0.0003m },
        };

        var atOnce = Close(loan, FirstDue.AddDays(5));
        var byDay = loan;
        long charged = 0;
        for (var d = 1; d <= 5; d++)
        {
            var a = Close(byDay, FirstDue.AddDays(d));
            charged += a.PenaltyToAccrue;
            byDay = After(byDay, a);
        }

        Assert.Equal(2, atOnce.PenaltyToAccrue);
        Assert.Equal(atOnce.PenaltyToAccrue, charged);
        Assert.Equal([1], atOnce.BecameOverdue);
        Assert.Equal(LoanEvent.MarkOverdue, atOnce.Event);
        Assert.Equal(After(loan, atOnce).Status, byDay.Status);
    }

    [Fact]
    public void A_loan_never_closed_is_charged_from_each_period_s_first_overdue_day()
    {
        var a = Close(Loan(), FirstDue.AddDays(5));

        Assert.Equal([1], a.BecameOverdue);
        Assert.Equal([new PeriodPenalty(1, 250)], a.Penalties);
    }

    [Fact]
    public void Closing_out_of_order_or_a_loan_that_is_not_open_is_a_fault()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Close(Loan(closedThrough: FirstDue.AddDays(2)), FirstDue.AddDays(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Close(Loan(), Disbursed.AddDays(-1)));
        foreach (var status in Enum.GetValues<LoanStatus>().Where(s => !LoanLifecycle.IsOpen(s)))
        {
            Assert.Throws<ArgumentException>(() => Close(Loan(status), FirstDue.AddDays(1)));
        }
    }
}
