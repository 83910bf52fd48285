using System.ComponentModel.DataAnnotations;
using HeadlessLoan.Api.Platform;
using HeadlessLoan.Api.Platform.Errors;
using HeadlessLoan.Domain.Pricing;
using HeadlessLoan.Domain.Rates;
using HeadlessLoan.Domain.Schedules;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace HeadlessLoan.Api.Features.Products;

/// <summary>
/// The legal frame for rates: courts protect interest up to a multiple of the one-year LPR, and an offer's all-in
/// rate is held to that and never above 24 %. Read through <c>IOptionsMonitor</c> where offers are made, so a new LPR
/// is used from its publication without a release.
/// </summary>
[FeatureApi]
public sealed class RatesOptions
{
    public const string Section = "Rates";

    [Range(typeof(decimal), "0.0001", "1", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true,
        ErrorMessage = "Rates:OneYearLpr must be between 0.0001 and 1 (e.g. 0.030 for 3.0 %).")]
    public decimal OneYearLpr { get; init; } = 0.030m;

    [Range(typeof(decimal), "0.1", "10", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true,
        ErrorMessage = "Rates:CeilingMultiplier must be between 0.1 and 10.")]
    public decimal CeilingMultiplier { get; init; } = InterestCeiling.CourtProtectedMultiplier;

    /// <summary>The date the LPR in force was published (the 20th of a month); shown with offers and kept with each loan.</summary>
    public DateOnly? OneYearLprDate { get; init; }

    public decimal AnnualCeiling => InterestCeiling.Of(OneYearLpr, CeilingMultiplier);

    /// <summary>What an offer's all-in annualised rate (interest and every fee) may reach.</summary>
    public decimal AllInCeiling => InterestCeiling.AllIn(OneYearLpr, CeilingMultiplier);
}

public static class ProductRules
{
    public const int MinBorrowerAge = 18;
    public const int MaxBorrowerAge = 100;
    public const int DaysPerYear = 365;
    public const int MaxPricingBands = 20;

    /// <summary>A monthly service fee of at most 1 % of the principal; the all-in rate at acceptance is the real limit.</summary>
    public const decimal MaxMonthlyFeeRate = 0.01m;

    /// <summary>
    /// The most penalty a loan of a product is charged over its life, as a share of its principal, when the product
    /// does not say: what a year of penalty at the 24 % all-in ceiling comes to.
    /// </summary>
    public const decimal DefaultPenaltyCapShare = 0.24m;

    /// <summary>The penalty cap's share is kept to a ten-thousandth (0.2400).</summary>
    public const int PenaltyCapDecimalPlaces = 4;

    /// <summary>
    /// Every field problem at once (422); the rate ceiling has its own code so callers can tell it apart. Rates are checked
    /// against the ceiling as they will be stored: more decimal places than that are refused first.
    /// </summary>
    public static ProblemHttpResult? Validate(ProductDefinition p, IOptions<RatesOptions> rates)
    {
        var v = new RequestValidator();
        if (v.Required(p.Name, "name"))
        {
            v.Length(p.Name!.Trim(), 1, 100, "name");
        }

        if (p.RepaymentMethods is null || p.RepaymentMethods.Count == 0)
        {
            v.Add("repaymentMethods", "At least one repayment method is required.");
        }
        else if (p.RepaymentMethods.Distinct().Count() != p.RepaymentMethods.Count)
        {
            v.Add("repaymentMethods", "Each method may appear once.");
        }

        RangePair(v, p.AnnualRateMin, p.AnnualRateMax, ScheduleLimits.MinAnnualRate, ScheduleLimits.MaxAnnualRate, "annualRateMin", "annualRateMax");
        v.DecimalPlaces(p.AnnualRateMin, ScheduleLimits.RateDecimalPlaces, "annualRateMin");
        v.DecimalPlaces(p.AnnualRateMax, ScheduleLimits.RateDecimalPlaces, "annualRateMax");
        RangePair(v, p.AmountMin, p.AmountMax, ScheduleLimits.MinPrincipal, ScheduleLimits.MaxPrincipal, "amountMin", "amountMax");
        RangePair(v, p.TermMinMonths, p.TermMaxMonths, ScheduleLimits.MinTermMonths, ScheduleLimits.MaxTermMonths, "termMinMonths", "termMaxMonths");
        RangePair(v, p.AgeMin, p.AgeMax, MinBorrowerAge, MaxBorrowerAge, "ageMin", "ageMax");
        ValidatePenalty(v, p);

        ProductPaymentRules.Validate(v, p);

        if (p.MonthlyFeeRate is { } fee)
        {
            v.Range(fee, 0m, MaxMonthlyFeeRate, "monthlyFeeRate");
            v.DecimalPlaces(fee, ScheduleLimits.RateDecimalPlaces, "monthlyFeeRate");
        }

        ValidatePricing(v, p);
        if (v.Required(p.AutoApprovalLimit, "autoApprovalLimit"))
        {
            v.Range(p.AutoApprovalLimit, 0L, p.AmountMax ?? ScheduleLimits.MaxPrincipal, "autoApprovalLimit");
        }

        if (v.HasErrors)
        {
            return v.ToProblem();
        }

        var ceiling = rates.Value.AnnualCeiling;
        var aboveCeiling = new RequestValidator();
        if (InterestCeiling.Exceeds(p.AnnualRateMax!.Value, ceiling))
        {
            aboveCeiling.Add("annualRateMax", $"Must not exceed the annual ceiling of {ceiling:0.######}.");
        }

        if (InterestCeiling.Exceeds(p.PenaltyDailyRate!.Value * DaysPerYear, ceiling))
        {
            aboveCeiling.Add("penaltyDailyRate", $"Annualised ({DaysPerYear} days) it must not exceed the annual ceiling of {ceiling:0.######}.");
        }

        return aboveCeiling.HasErrors
            ? aboveCeiling.ToProblem("rate_above_ceiling", "The rate is above the legally protected ceiling (a multiple of the one-year LPR).")
            : null;
    }

    /// <summary>The penalty: a daily rate kept to a millionth, and the lifetime cap's share of principal to a ten-thousandth.</summary>
    private static void ValidatePenalty(RequestValidator v, ProductDefinition p)
    {
        if (v.Required(p.PenaltyDailyRate, "penaltyDailyRate"))
        {
            v.Range(p.PenaltyDailyRate, 0m, 0.01m, "penaltyDailyRate");
            v.DecimalPlaces(p.PenaltyDailyRate, ScheduleLimits.RateDecimalPlaces, "penaltyDailyRate");
        }

        if (p.PenaltyCapShare is { } cap)
        {
            v.Range(cap, 0m, 1m, "penaltyCapShare");
            v.DecimalPlaces(cap, PenaltyCapDecimalPlaces, "penaltyCapShare");
        }
    }

    /// <summary>The pricing table: each band complete, its rate kept to a millionth, floors distinct, rates within the product's range.</summary>
    private static void ValidatePricing(RequestValidator v, ProductDefinition p)
    {
        if (p.Pricing is not { } bands)
        {
            return;
        }

        if (bands.Count > MaxPricingBands)
        {
            v.Add("pricing", $"At most {MaxPricingBands} bands.");
            return;
        }

        for (var i = 0; i < bands.Count; i++)
        {
            v.Required(bands[i]?.MinScore, $"pricing[{i}].minScore");
            v.Required(bands[i]?.AnnualRate, $"pricing[{i}].annualRate");
            v.DecimalPlaces(bands[i]?.AnnualRate, ScheduleLimits.RateDecimalPlaces, $"pricing[{i}].annualRate");
        }

        if (!v.HasErrors && p.AnnualRateMin is { } min && p.AnnualRateMax is { } max
            && PricingTable.Problem(BandsOf(bands), min, max) is { } problem)
        {
            v.Add("pricing", problem);
        }
    }

    /// <summary>The table of a validated definition, in floor order.</summary>
    public static IReadOnlyList<PricingBand> BandsOf(IReadOnlyList<PricingBandDefinition>? bands) =>
        (bands ?? []).Select(b => new PricingBand(b.MinScore!.Value, b.AnnualRate!.Value)).OrderBy(b => b.MinScore).ToArray();

    private static void RangePair<T>(RequestValidator v, T? min, T? max, T lower, T upper, string minField, string maxField)
        where T : struct, IComparable<T>
    {
        var hasMin = v.Required(min, minField);
        var hasMax = v.Required(max, maxField);
        v.Range(min, lower, upper, minField);
        v.Range(max, lower, upper, maxField);
        if (hasMin && hasMax && min!.Value.CompareTo(max!.Value) > 0)
        {
            v.Add(minField, $"Must not be greater than {maxField}.");
        }
    }
}
