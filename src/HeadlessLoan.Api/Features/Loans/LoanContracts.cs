using HeadlessLoan.Api.Platform;
using HeadlessLoan.Domain.Ledger;
using HeadlessLoan.Domain.Schedules;

namespace HeadlessLoan.Api.Features.Loans;

/// <summary>Where an application's offer stands.</summary>
public enum OfferStatus { Open, Accepted, Expired }

/// <summary>One period as an offer shows it, amounts in fen; payment = principal + interest + fee.</summary>
public sealed record OfferPeriodResponse(int Period, DateOnly DueDate, long Principal, long Interest, long Fee, long Payment, long RemainingPrincipal);

public sealed record LoanOfferResponse(
    Guid ApplicationId,
    OfferStatus Status,
    Guid? LoanId,
    DateTimeOffset ExpiresAt,
    Guid ProductId,
    int ProductVersion,
    long Principal,
    int TermMonths,
    RepaymentMethod Method,
    decimal AnnualRate,
    decimal MonthlyFeeRate,
    decimal PenaltyDailyRate,
    int? BureauScore,
    int? PricingMinScore,
    long TotalInterest,
    long TotalFees,
    long TotalRepayment,
    decimal Apr,
    decimal Ceiling,
    decimal OneYearLpr,
    DateOnly? OneYearLprDate,
    bool WithinCeiling,
    IReadOnlyList<OfferPeriodResponse> Schedule);

/// <summary>What the borrower was shown and agrees to: acceptance is refused when the offer no longer says exactly this.</summary>
public sealed record AcceptOfferRequest(decimal? AnnualRate, decimal? Apr, long? TotalRepayment);

/// <summary>Amounts per component, in fen.</summary>
[FeatureApi]
public sealed record LoanAmounts(long Principal, long Interest, long Penalty, long Fee, long Total)
{
    public static LoanAmounts Of(LoanComponents c) => new(c.Principal, c.Interest, c.Penalty, c.Fee, c.Total);
}

/// <summary>A written-off loan's write-off: on which business date, what was written off per component, what has been recovered since and what is still owed.</summary>
public sealed record LoanWriteOff(DateOnly WrittenOffOn, LoanAmounts WrittenOff, long Recovered, long StillOwed);

/// <summary>The next thing to pay: the earliest unsettled period's due date and what is owed up to and including it.</summary>
public sealed record LoanNextDue(int Period, DateOnly DueDate, long Amount);

/// <summary>What closes the loan on <paramref name="Date"/>; it holds until <paramref name="ValidUntil"/> (that day's end in China).</summary>
public sealed record PayoffQuoteResponse(Guid LoanId, DateOnly Date, DateTimeOffset ValidUntil, LoanAmounts Amount);

public sealed record LoanResponse(
    Guid Id,
    string ContractNumber,
    Guid ApplicationId,
    Guid? BorrowerId,
    Guid? ChannelId,
    Guid ProductId,
    int ProductVersion,
    string Status,
    long Principal,
    int TermMonths,
    RepaymentMethod Method,
    decimal AnnualRate,
    decimal MonthlyFeeRate,
    decimal PenaltyDailyRate,
    long PenaltyCap,
    decimal Apr,
    decimal Ceiling,
    decimal OneYearLpr,
    DateOnly? OneYearLprDate,
    DateTimeOffset AcceptedAt,
    DateOnly? DisbursedOn,
    DateOnly MaturityDate,
    LoanAmounts ScheduledUnpaid,
    long OverdueAmount,
    int DaysPastDue,
    string RiskClass,
    DateOnly? ClosedThrough,
    LoanAmounts Receivable,
    long Credit,
    LoanWriteOff? WriteOff,
    LoanNextDue? NextDue,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public sealed record LoanPeriodResponse(
    int Period,
    DateOnly DueDate,
    string Status,
    LoanAmounts Due,
    LoanAmounts Paid,
    LoanAmounts Outstanding);

public sealed record LoanScheduleResponse(Guid LoanId, IReadOnlyList<LoanPeriodResponse> Periods);

public sealed record LoanListResponse(IReadOnlyList<LoanResponse> Items, string? NextCursor);

/// <summary>
/// What an entry did to the loan, in fen, signed: positive when the borrower owes more of a component (a
/// disbursement's principal, an accrual's interest) or holds more credit, negative when a repayment settled it.
/// </summary>
public sealed record LoanTransactionEffect(long Principal, long Interest, long Penalty, long Fee, long Credit);

/// <summary>One line of a journal entry: one positive amount on one side of one account.</summary>
public sealed record LoanTransactionLine(string Account, long Debit, long Credit, bool Pooled);

/// <summary>
/// One journal entry of the loan: what moved (<c>kind</c>), the business date it belongs to, when it was posted,
/// its amount (the entry's debits, which equal its credits), its effect per component and its lines.
/// </summary>
public sealed record LoanTransactionResponse(
    Guid Id,
    string Kind,
    DateOnly BusinessDate,
    DateTimeOffset PostedAt,
    long Amount,
    LoanTransactionEffect Effect,
    IReadOnlyList<LoanTransactionLine> Lines);

public sealed record LoanTransactionListResponse(Guid LoanId, IReadOnlyList<LoanTransactionResponse> Items, string? NextCursor);
