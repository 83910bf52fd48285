namespace HeadlessLoan.Domain.Rates;

/// <summary>
/// The annual ceiling as a multiple of the one-year LPR. For private lending, courts protect interest only up to 4×
/// the LPR (the 2020 Supreme People's Court rules); small-loan companies are outside those rules (法释〔2020〕27号)
/// but are held to the same 4× LPR as the target for new loans by the 2025 guideline on all-in financing cost
/// (小额贷款公司综合融资成本管理工作指引: new loans above 24 % all-in stop at once, all within 4× LPR by the end of
/// 2027). The multiplier is a setting, so it is a parameter.
/// </summary>
public static class InterestCeiling
{
    /// <summary>The multiple of the one-year LPR that courts protect and the small-loan guideline targets.</summary>
    public const decimal CourtProtectedMultiplier = 4m;

    /// <summary>The highest annual rate allowed: one-year LPR × multiplier (0.03 × 4 = 0.12).</summary>
    public static decimal Of(decimal oneYearLpr, decimal multiplier)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(oneYearLpr);
        ArgumentOutOfRangeException.ThrowIfNegative(multiplier);
        return oneYearLpr * multiplier;
    }

    /// <summary>The all-in cost above which no new small loan may be made at all, whatever the LPR (the 2025 guideline).</summary>
    public const decimal AllInHardCap = 0.24m;

    /// <summary>The ceiling an offer's all-in annualised rate is held to: the LPR multiple, and never above <see cref="AllInHardCap"/>.</summary>
    public static decimal AllIn(decimal oneYearLpr, decimal multiplier) => Math.Min(Of(oneYearLpr, multiplier), AllInHardCap);

    /// <summary>True when the rate is above the ceiling; a rate equal to it is still protected.</summary>
    public static bool Exceeds(decimal annualRate, decimal ceiling) => annualRate > ceiling;
}
