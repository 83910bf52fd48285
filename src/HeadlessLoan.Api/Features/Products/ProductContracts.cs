using HeadlessLoan.Domain.Pricing;
using HeadlessLoan.Domain.Schedules;

namespace HeadlessLoan.Api.Features.Products;

/// <summary>Where a repayment goes first; the product decides the order.</summary>
public enum AllocationPart { Penalty, Interest, Principal }

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
    IReadOnlyList<AllocationPart>? AllocationOrder,
    int? AgeMin,
    int? AgeMax,
    long? AutoApprovalLimit,
    decimal? MonthlyFeeRate = null,
    IReadOnlyList<PricingBandDefinition>? Pricing = null);

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
    IReadOnlyList<AllocationPart> AllocationOrder,
    int AgeMin,
    int AgeMax,
    long AutoApprovalLimit,
    decimal MonthlyFeeRate,
    IReadOnlyList<PricingBand> Pricing,
    DateTimeOffset CreatedAt,
    DateTimeOffset VersionCreatedAt);

public sealed record ProductListResponse(IReadOnlyList<ProductResponse> Items);
