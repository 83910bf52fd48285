namespace HeadlessLoan.Domain.Pricing;

/// <summary>One row of a product's pricing table: borrowers whose bureau score is at least <see cref="MinScore"/> get <see cref="AnnualRate"/>.</summary>
public sealed record PricingBand(int MinScore, decimal AnnualRate);

/// <summary>
/// Risk-based pricing: the product version's table of bureau-score bands picks the rate of an offer. The table is
/// part of the product version, so an offer names the table it was priced by with the version.
/// </summary>
public static class PricingTable
{
    public const int MinScore = 0;
    public const int MaxScore = 1000;

    /// <summary>
    /// The rate for <paramref name="score"/>: the band with the highest floor at or below it. A borrower without a
    /// score, or below every floor, gets the lowest band (the riskiest price); an empty table prices everyone at
    /// <paramref name="withoutTable"/> (the product's highest rate).
    /// </summary>
    public static (decimal AnnualRate, PricingBand? Band) RateFor(IReadOnlyList<PricingBand> bands, int? score, decimal withoutTable)
    {
        ArgumentNullException.ThrowIfNull(bands);
        if (bands.Count == 0)
        {
            return (withoutTable, null);
        }

        var ordered = bands.OrderBy(b => b.MinScore).ToArray();
        var band = score is { } s ? ordered.LastOrDefault(b => b.MinScore <= s) ?? ordered[0] : ordered[0];
        return (band.AnnualRate, band);
    }

    /// <summary>Why the table cannot be used with the product's rate range, or null: floors distinct and in range, rates within min..max.</summary>
    public static string? Problem(IReadOnlyList<PricingBand> bands, decimal annualRateMin, decimal annualRateMax)
    {
        ArgumentNullException.ThrowIfNull(bands);
        if (bands.Select(b => b.MinScore).Distinct().Count() != bands.Count)
        {
            return "Each minScore may appear once.";
        }

        if (bands.Any(b => b.MinScore is < MinScore or > MaxScore))
        {
            return $"Each minScore must be between {MinScore} and {MaxScore}.";
        }

        return bands.Any(b => b.AnnualRate < annualRateMin || b.AnnualRate > annualRateMax)
            ? "Each band's annualRate must be within annualRateMin and annualRateMax."
            : null;
    }
}
