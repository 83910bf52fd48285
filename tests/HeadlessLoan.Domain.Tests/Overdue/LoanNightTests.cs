using HeadlessLoan.Domain.Ledger;
using HeadlessLoan.Domain.Loans;
using HeadlessLoan.Domain.Overdue;

namespace HeadlessLoan.Domain.Tests.Overdue;

public sealed class LoanNightTests
{
    private static readonly DateOnly Disbursed = new(2026, 1, 15);
    private static readonly DateOnly FirstDue = new(2026, 2, 15);
    private static readonly DateOnly SecondDue = new(2026, 3, 15);

    /// <summary>2,000 CNY over two months at 18 % a year, 10 CNY fee a period; 0.05 % a day penalty within 24 %, at most 200 CNY of it.</summary>
    private static ClosingLoan Loan(DateOnly closedThrough, (long Interest, long Fee) first, long secondInterest, LoanStatus status = LoanStatus.Active) =>
        new(status, Disbursed, closedThrough, RiskClass.Normal, null, 0.18m, new PenaltyTerms(0.0005m, 0.24m, 20_000),
        [
            new(new LoanPeriod(1, FirstDue, new LoanComponents(100_000, 1_550, 0, 1_000), default), first.Interest, first.Fee),
            new(new LoanPeriod(2, SecondDue, new LoanComponents(100_000, 700, 0, 1_000), default), secondInterest, 0),
        ]);

    private static NightClose Close(ClosingLoan loan, DateOnly cobDate) => LoanNight.Close(loan, cobDate, ClassificationTable.Default);

    [Fact]
    public void A_night_in_the_running_period_earns_its_interest_on_every_unpaid_principal_since_the_payout()
    {
        // 2,000 CNY not yet due, 18 % / 360 a day, 15 to 20 January counted: 6 days, 6.00 CNY; 5.00 recognised before.
        var night = Close(Loan(new DateOnly(2026, 1, 19), (500, 0), 0), new DateOnly(2026, 1, 20));

        Assert.Equal(new LoanComponents(0, 100, 0, 0), night.Earned);
        Assert.Equal([new ClosedPeriod(1, 0, 600, 0), new ClosedPeriod(2, 0, 0, 0)], night.Periods);
        Assert.Equal((LoanStatus.Active, 0, RiskClass.Normal), (night.StatusAfter, night.Assessment.DaysPastDue, night.Assessment.ClassAfter));
        Assert.Equal(new ScheduleSummary(1, FirstDue, Disbursed, 200_000, 1_550, 600, FirstDue, new LoanComponents(200_000, 600, 0, 0)), night.Summary);
    }

    [Fact]
    public void On_a_due_date_the_period_is_recognised_whole_and_the_next_starts_running()
    {
        var night = Close(Loan(FirstDue.AddDays(-1), (1_500, 0), 0), FirstDue);

        // The rest of period 1's interest and its fee; period 2's first day on the 1,000 CNY not yet due.
        Assert.Equal(new LoanComponents(0, 50 + 50, 0, 1_000), night.Earned);
        Assert.Equal([new ClosedPeriod(1, 0, 1_550, 1_000), new ClosedPeriod(2, 0, 50, 0)], night.Periods);
        Assert.Equal((LoanStatus.Active, 0), (night.StatusAfter, night.Assessment.DaysPastDue));
        Assert.Equal(new ScheduleSummary(2, SecondDue, FirstDue, 100_000, 700, 50, FirstDue, new LoanComponents(200_000, 1_600, 0, 1_000)), night.Summary);
    }

    [Fact]
    public void The_day_after_a_missed_due_date_charges_penalty_marks_the_loan_overdue_and_sums_it_up()
    {
        var night = Close(Loan(FirstDue, (1_550, 1_000), 50), FirstDue.AddDays(1));

        // 1,000 CNY overdue a day at 0.05 %: 0.50 CNY (within 24 % / 360 of it); period 2's second day.
        Assert.Equal(new LoanComponents(0, 50, 50, 0), night.Earned);
        Assert.Equal([new ClosedPeriod(1, 50, 1_550, 1_000), new ClosedPeriod(2, 0, 100, 0)], night.Periods);
        Assert.Equal((LoanStatus.Overdue, 1, RiskClass.SpecialMention), (night.StatusAfter, night.Assessment.DaysPastDue, night.Assessment.ClassAfter));
        Assert.Equal(
            new ScheduleSummary(2, SecondDue, FirstDue, 100_000, 700, 100, FirstDue, new LoanComponents(200_000, 1_650, 50, 1_000)), night.Summary);
    }

    [Fact]
    public void Closing_the_same_date_again_on_what_it_left_earns_nothing_more()
    {
        var loan = Loan(FirstDue, (1_550, 1_000), 50);
        var first = Close(loan, FirstDue.AddDays(1));
        var again = loan with
        {
            Status = first.StatusAfter,
            ClosedThrough = FirstDue.AddDays(1),
            Periods = loan.Periods.Zip(first.Periods, (p, c) => new ClosingPeriod(
                p.Period with { Due = p.Period.Due with { Penalty = c.PenaltyDue } }, c.InterestAccrued, c.FeeCharged)).ToList(),
        };

        var second = Close(again, FirstDue.AddDays(1));

        Assert.Equal(default, second.Earned);
        Assert.Equal(first.Periods, second.Periods);
        Assert.Equal(first.Summary, second.Summary);
        Assert.Null(second.Assessment.Event);
    }

    [Fact]
    public void A_loan_past_its_last_due_date_has_nothing_running()
    {
        var night = Close(Loan(SecondDue, (1_550, 1_000), 700, LoanStatus.Overdue), SecondDue.AddDays(1));

        Assert.Equal(new ScheduleSummary(null, null, SecondDue, 0, 0, 0, FirstDue, night.Summary.Outstanding), night.Summary);
        Assert.Equal((2_000, 100), (night.Summary.Outstanding.Fee, night.Summary.Outstanding.Penalty));
    }
}
