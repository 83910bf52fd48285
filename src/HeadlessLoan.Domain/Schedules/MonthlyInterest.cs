using HeadlessLoan.Domain.Money;

namespace HeadlessLoan.Domain.Schedules;

/// <summary>
/// One month's interest on an outstanding amount: round_half_up(outstanding × annualRate / 12).
/// </summary>
/// <remarks>
/// annualRate / 12 is a repeating decimal (0.049 / 12 = 0.0040833…), and truncating it would turn
/// exact halves such as 6000 fen × 4.9 % / 12 = 24.5 into 24.4999… and round them down. So the
/// rate is kept as the exact fraction (rate × 10^s) / (12 × 10^s); for rates with up to 8 decimals
/// this is pure long arithmetic (≤ 10^10 × 10^8 fits), which is also what keeps 360 periods cheap.
/// </remarks>
internal readonly struct MonthlyInterest
{
    private const int MaxExactScale = 8;

    private readonly decimal annualRate;
    private readonly long numerator;
    private readonly long denominator;

    public MonthlyInterest(decimal annualRate)
    {
        this.annualRate = annualRate;
        int scale = annualRate.Scale;
        if (scale <= MaxExactScale)
        {
            long tenPower = 1;
            for (int i = 0; i < scale; i++)
            {
                tenPower *= 10;
            }

            numerator = (long)(annualRate * tenPower);
            denominator = 12 * tenPower;
        }
    }

    public long On(long outstanding)
    {
        if (denominator == 0)
        {
            return Fen.RoundHalfUp(outstanding * annualRate / 12m);
        }

        long product = outstanding * numerator;
        long quotient = product / denominator;
        long remainder = product % denominator;
        return remainder * 2 >= denominator ? quotient + 1 : quotient;
    }
}
