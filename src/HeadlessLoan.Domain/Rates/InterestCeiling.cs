namespace HeadlessLoan.Domain.Rates;

/// <summary>
/// Courts protect private-lending interest only up to a multiple of the one-year LPR (4× since the
/// 2020 Supreme People's Court rules). The multiplier is a product setting, so it is a parameter.
/// </summary>
public static class InterestCeiling
{
    /// <summary>The multiple of the one-year LPR that courts currently protect.</summary>
    public const decimal CourtProtectedMultiplier = 4m;

    /// <summary>The highest annual rate allowed: one-year LPR × multiplier (0.03 × 4 = 0.12).</summary>
    public static decimal Of(decimal oneYearLpr, decimal multiplier)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(oneYearLpr);
        ArgumentOutOfRangeException.ThrowIfNegative(multiplier);
        return oneYearLpr * multiplier;
    }

    /// <summary>True when the rate is above the ceiling; a rate equal to it is still protected.</summary>
    public static bool Exceeds(decimal annualRate, decimal ceiling) => annualRate > ceiling;
}
