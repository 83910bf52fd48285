namespace HeadlessLoan.Domain.Schedules;

/// <summary>
/// The borrower's IRR: receives the principal at month 0 and pays each period's payment at its
/// month. Solved for the discount factor v = 1/(1+m) in (0, 1], where the present value of the
/// payments is strictly increasing in v, so the root is unique and a bracket always exists.
/// </summary>
internal static class AnnualisedRate
{
    private const int MaxIterations = 50;

    // Far below what 6 decimal places of an annual rate can see; near the root Newton doubles the correct digits a step.
    private const decimal Tolerance = 0.000_000_000_000_01m;

    // Fixed-point scales for Evaluate. Payments sum to at most ~31 P (3.1e11 fen), so q < 2^63
    // with 24 fraction bits and q · v < 2^125; Σ k·c_k < 1.2e14, so dq with 14 bits stays as far
    // inside Int128. 2^−24 fen of rounding per term moves the root by far less than 1e−15.
    private const int VBits = 62;
    private const int QBits = 24;
    private const int DBits = 14;
    private const decimal OneV = 4_611_686_018_427_387_904m; // 2^62
    private const decimal OneQ = 16_777_216m; // 2^24
    private const decimal OneD = 16_384m; // 2^14

    /// <param name="firstMonth">Month index of the first payment; later payments follow monthly.</param>
    public static (decimal Apr, decimal EffectiveAnnualRate) Of(
        long principal, SchedulePeriod[] periods, int firstMonth, decimal annualRate, long totalInterest)
    {
        if (totalInterest == 0)
        {
            // Nothing paid beyond the principal: the IRR is exactly 0, and its v = 1 sits on the bracket's edge.
            return (0m, 0m);
        }

        decimal monthly = 1m / Solve(principal, periods, firstMonth, annualRate) - 1m;
        decimal effective = DecimalMath.Pow(1m + monthly, 12) - 1m;
        return (Round6(monthly * 12m), Round6(effective));
    }

    private static decimal Solve(long principal, SchedulePeriod[] periods, int firstMonth, decimal annualRate)
    {
        // f(0) = −P < 0 and f(1) = total interest > 0.
        decimal low = 0m;
        decimal high = 1m;

        // Without rounding the IRR of a level-rate schedule is the nominal monthly rate: start there.
        decimal v = 1m / (1m + annualRate / 12m);
        for (int i = 0; i < MaxIterations; i++)
        {
            (decimal f, decimal slope) = Evaluate(principal, periods, firstMonth, v);
            if (f == 0m)
            {
                return v;
            }

            if (f < 0m)
            {
                low = v;
            }
            else
            {
                high = v;
            }

            decimal next = slope > 0m ? v - f / slope : low;
            if (next <= low || next >= high)
            {
                next = (low + high) / 2m;
            }

            decimal step = next - v;
            v = next;
            if (step < Tolerance && step > -Tolerance)
            {
                break;
            }
        }

        return v;
    }

    /// <summary>
    /// f(v) = −P + v^t · q(v) with q(v) = Σ c_k v^k (k from 0), and f′(v), by Horner in one backward
    /// pass. The pass runs in binary fixed point (Int128): decimal costs about 60 ns an operation
    /// here, which made one 360-term pass take ~90 µs; integers keep it exact-to-2^−62, deterministic
    /// and free of floating point. Only the results come back as decimal.
    /// </summary>
    private static (decimal Value, decimal Slope) Evaluate(
        long principal, SchedulePeriod[] periods, int firstMonth, decimal v)
    {
        Int128 fixedV = (Int128)(v * OneV);
        Int128 q = 0;
        Int128 dq = 0;
        for (int k = periods.Length - 1; k >= 0; k--)
        {
            dq = ((dq * fixedV) >> VBits) + (q >> (QBits - DBits));
            q = ((q * fixedV) >> VBits) + ((Int128)periods[k].Payment << QBits);
        }

        Int128 vPowT = FixedPow(fixedV, firstMonth);
        Int128 vPowTMinus1 = FixedPow(fixedV, firstMonth - 1);
        Int128 value = ((vPowT * q) >> VBits) - ((Int128)principal << QBits);
        Int128 slope = ((firstMonth * ((vPowTMinus1 * q) >> VBits)) >> (QBits - DBits)) + ((vPowT * dq) >> VBits);
        return ((decimal)value / OneQ, (decimal)slope / OneD);
    }

    private static Int128 FixedPow(Int128 x, int n)
    {
        Int128 result = Int128.One << VBits;
        while (n > 0)
        {
            if ((n & 1) == 1)
            {
                result = (result * x) >> VBits;
            }

            n >>= 1;
            if (n > 0)
            {
                x = (x * x) >> VBits;
            }
        }

        return result;
    }

    private static decimal Round6(decimal value) => decimal.Round(value, 6, MidpointRounding.AwayFromZero);
}
