using HeadlessLoan.Domain.Loans;
using HeadlessLoan.Domain.Money;
using HeadlessLoan.Domain.Rates;
using HeadlessLoan.Domain.Schedules;

namespace HeadlessLoan.Domain.Pricing;

/// <summary>What an offer is priced from: the approved terms, the rate its pricing band gave, the product's monthly service fee.</summary>
public sealed record OfferTerms(long Principal, int TermMonths, RepaymentMethod Method, decimal AnnualRate, decimal MonthlyFeeRate, DateOnly StartDate);

/// <summary>
/// An offer as the borrower is shown it: the schedule with the service fee in each period, the totals, and the all-in
/// annualised rate (IRR of every payment, interest and fees together, × 12) that must not exceed the ceiling.
/// </summary>
public sealed record LoanOffer(OfferTerms Terms, IReadOnlyList<LoanPeriod> Periods, long TotalInterest, long TotalFees, long TotalRepayment, decimal Apr)
{
    public bool WithinCeiling(decimal ceiling) => !InterestCeiling.Exceeds(Apr, ceiling);
}

public static class LoanOffers
{
    /// <summary>
    /// Prices <paramref name="terms"/>. The service fee is round_half_up(principal × monthly fee rate) a month, charged
    /// with each period (a bullet loan's one period carries every month's fee); nothing is deducted from the payout.
    /// </summary>
    public static LoanOffer Make(OfferTerms terms)
    {
        ArgumentNullException.ThrowIfNull(terms);
        ArgumentOutOfRangeException.ThrowIfNegative(terms.MonthlyFeeRate);
        var schedule = ScheduleCalculator.Build(new ScheduleTerms(terms.Principal, terms.AnnualRate, terms.TermMonths, terms.Method, terms.StartDate));
        var monthlyFee = Fen.RoundHalfUp(terms.Principal * terms.MonthlyFeeRate);
        var feePerPeriod = terms.Method == RepaymentMethod.Bullet ? checked(monthlyFee * terms.TermMonths) : monthlyFee;
        var periods = LoanSchedule.From(schedule, feePerPeriod);
        var totalFees = checked(feePerPeriod * periods.Count);
        var withFees = schedule.Periods.Select(p => p with { Payment = p.Payment + feePerPeriod }).ToArray();
        var firstMonth = terms.Method == RepaymentMethod.Bullet ? terms.TermMonths : 1;
        var (apr, _) = AnnualisedRate.Of(terms.Principal, withFees, firstMonth, terms.AnnualRate, checked(schedule.TotalInterest + totalFees));
        return new LoanOffer(terms, periods, schedule.TotalInterest, totalFees, checked(schedule.TotalPayment + totalFees), apr);
    }
}
