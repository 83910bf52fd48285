namespace HeadlessLoan.Domain.Schedules;

/// <summary>Decimal has no Math.Pow, and double would bring binary rounding into money.</summary>
internal static class DecimalMath
{
    /// <summary>x^n for n ≥ 0 by exponentiation by squaring: about 2·log2(n) multiplications.</summary>
    public static decimal Pow(decimal x, int n)
    {
        decimal result = 1m;
        while (n > 0)
        {
            if ((n & 1) == 1)
            {
                result *= x;
            }

            n >>= 1;
            if (n > 0)
            {
                x *= x;
            }
        }

        return result;
    }
}
