using HeadlessLoan.Domain.Loans;
using HeadlessLoan.Domain.Pricing;
using HeadlessLoan.Domain.Schedules;

namespace HeadlessLoan.Api.Features.Products;

/// <summary>
/// The allocation orders known by name (Fineract's advanced payment allocation presets); <see cref="Custom"/> is any
/// other order, given as its 12 rules.
/// </summary>
public enum AllocationPreset { PenaltyFeeInterestPrincipal, InterestPrincipalPenaltyFee, Custom }

/// <summary>One step of an allocation order as given: this component of the periods of this due type.</summary>
public sealed record AllocationRuleDefinition(DueType? Due, OwedComponent? Component);

/// <summary>What a prepayment of principal buys the borrower: lower installments (月供减少) or a shorter term (期限缩短).</summary>
public enum PrepaymentSetting { LowerInstallment, ShortenTerm }

/// <summary>The body of create and update: every term of a product version.</summary>
public sealed record ProductDefinition(
    string? Name,
    IReadOnlyList<RepaymentMethod>? RepaymentMethods,
    decimal? AnnualRateMin,
    decimal? AnnualRateMax,
    long? AmountMin,
    long? AmountMax,
    int? TermMinMonths,
    int? TermMaxMonths,
    decimal? PenaltyDailyRate,
    AllocationPreset? AllocationOrder,
    int? AgeMin,
    int? AgeMax,
    long? AutoApprovalLimit,
    decimal? MonthlyFeeRate = null,
    IReadOnlyList<PricingBandDefinition>? Pricing = null,
    IReadOnlyList<AllocationRuleDefinition>? AllocationRules = null,
    Overpayment? Overpayment = null,
    PrepaymentSetting? Prepayment = null,
    decimal? PenaltyCapShare = null);

/// <summary>A row of the pricing table as given: borrowers with a bureau score of at least <see cref="MinScore"/> get <see cref="AnnualRate"/>.</summary>
public sealed record PricingBandDefinition(int? MinScore, decimal? AnnualRate);

public sealed record ProductResponse(
    Guid Id,
    int Version,
    string Status,
    string Name,
    IReadOnlyList<RepaymentMethod> RepaymentMethods,
    decimal AnnualRateMin,
    decimal AnnualRateMax,
    long AmountMin,
    long AmountMax,
    int TermMinMonths,
    int TermMaxMonths,
    decimal PenaltyDailyRate,
    decimal PenaltyCapShare,
    AllocationPreset AllocationOrder,
    IReadOnlyList<AllocationRule> AllocationRules,
    Overpayment Overpayment,
    PrepaymentSetting Prepayment,
    int AgeMin,
    int AgeMax,
    long AutoApprovalLimit,
    decimal MonthlyFeeRate,
    IReadOnlyList<PricingBand> Pricing,
    DateTimeOffset CreatedAt,
    DateTimeOffset VersionCreatedAt);

public sealed record ProductListResponse(IReadOnlyList<ProductResponse> Items);
