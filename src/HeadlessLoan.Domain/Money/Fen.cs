using System.Globalization;

namespace HeadlessLoan.Domain.Money;

/// <summary>Amounts are integer fen (1/100 CNY); this is the one place they meet decimals.</summary>
public static class Fen
{
    /// <summary>
    /// Rounds to whole fen, halves away from zero: half-up for the non-negative amounts schedules
    /// produce, and symmetric for negative ones so a refund rounds like the charge it reverses.
    /// </summary>
    public static long RoundHalfUp(decimal value) =>
        (long)decimal.Round(value, 0, MidpointRounding.AwayFromZero);

    /// <summary>Formats fen as yuan with two decimals, e.g. 53073 → "530.73", −5 → "-0.05".</summary>
    public static string ToYuan(long fen) =>
        (fen / 100m).ToString("0.00", CultureInfo.InvariantCulture);
}
