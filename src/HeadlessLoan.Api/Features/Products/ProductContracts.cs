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
    long? AutoApprovalLimit);

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
    DateTimeOffset CreatedAt,
    DateTimeOffset VersionCreatedAt);

public sealed record ProductListResponse(IReadOnlyList<ProductResponse> Items);
