using FsCheck;
using FsCheck.Xunit;
using HeadlessLoan.Domain.CreditLines;

namespace HeadlessLoan.Domain.Tests.CreditLines;

public sealed class CreditLinePolicyTests
{
    private static readonly CreditLineRules Rules = new(Version: 3, InitialFactor: 1.5m, RaiseAfterOnTime: 3, RaiseShare: 0.2m, CutShare: 0.5m, MaxLimit: 5_000_000);

    [Fact]
    public void TheFirstLineIsTheApprovedAmountTimesTheFactorRoundedDownToHundredsOfYuanAndCapped()
    {
        Assert.Equal(new CreditLineChange(new CreditLine(1_500_000, 0, 3), "first_approval"), CreditLinePolicy.First(Rules, 1_000_000));
        Assert.Equal(1_490_000, CreditLinePolicy.First(Rules, 999_999).Line.Limit);
        Assert.Equal(5_000_000, CreditLinePolicy.First(Rules, 9_000_000).Line.Limit);
        Assert.Throws<ArgumentOutOfRangeException>(() => CreditLinePolicy.First(Rules, 0));
    }

    [Fact]
    public void EveryThirdOnTimeRepaymentInARowRaisesTheLineByAFifthUpToTheMaximum()
    {
        var line = new CreditLine(1_000_000, 0, 1);
        var first = CreditLinePolicy.Next(line, Rules, CreditLineEvent.OnTimeRepayment);
        var second = CreditLinePolicy.Next(first.Line, Rules, CreditLineEvent.OnTimeRepayment);
        var third = CreditLinePolicy.Next(second.Line, Rules, CreditLineEvent.OnTimeRepayment);

        Assert.Equal((1, false, 2, false), (first.Line.OnTimeStreak, first.Moved, second.Line.OnTimeStreak, second.Moved));
        Assert.Equal(new CreditLineChange(new CreditLine(1_200_000, 0, 3), "on_time_streak"), third);
        var atMax = CreditLinePolicy.Next(new CreditLine(4_900_000, 2, 3), Rules, CreditLineEvent.OnTimeRepayment);
        Assert.Equal(5_000_000, atMax.Line.Limit);
        var beyond = CreditLinePolicy.Next(new CreditLine(5_000_000, 2, 3), Rules, CreditLineEvent.OnTimeRepayment);
        Assert.Equal((5_000_000, 0, false), (beyond.Line.Limit, beyond.Line.OnTimeStreak, beyond.Moved));
    }

    [Fact]
    public void GoingOverdueHalvesTheLineAndEndsTheStreak()
    {
        var cut = CreditLinePolicy.Next(new CreditLine(1_230_000, 2, 1), Rules, CreditLineEvent.WentOverdue);

        Assert.Equal(new CreditLineChange(new CreditLine(610_000, 0, 3), "overdue"), cut);
        Assert.Equal(0, CreditLinePolicy.Available(cut.Line, 700_000));
        Assert.Equal(10_000, CreditLinePolicy.Available(cut.Line, 600_000));
    }

    [Fact]
    public void RulesOutOfRangeAreNamed()
    {
        Assert.Null(Rules.Problem());
        Assert.Contains("raiseAfterOnTime", (Rules with { RaiseAfterOnTime = 0 }).Problem(), StringComparison.Ordinal);
        Assert.Contains("cutShare", (Rules with { CutShare = 1.5m }).Problem(), StringComparison.Ordinal);
        Assert.Contains("initialFactor", (Rules with { InitialFactor = 0 }).Problem(), StringComparison.Ordinal);
    }

    [Property(MaxTest = 300)]
    public bool ALineStaysAMultipleOfTheRoundingBetweenZeroAndTheMaximumWhateverHappens(PositiveInt approved, bool[] events)
    {
        var line = CreditLinePolicy.First(Rules, approved.Get).Line;
        foreach (var onTime in events ?? [])
        {
            line = CreditLinePolicy.Next(line, Rules, onTime ? CreditLineEvent.OnTimeRepayment : CreditLineEvent.WentOverdue).Line;
            if (line.Limit < 0 || line.Limit > Rules.MaxLimit || line.Limit % Rules.RoundTo != 0 || line.OnTimeStreak >= Rules.RaiseAfterOnTime)
            {
                return false;
            }
        }

        return true;
    }
}
