using FsCheck;
using FsCheck.Fluent;
using HeadlessLoan.Domain.Ledger;
using HeadlessLoan.Domain.Loans;
using HeadlessLoan.Domain.Schedules;

namespace HeadlessLoan.Domain.Tests.Loans;

/// <summary>A loan on a day: its periods as stored (some paid, some not, penalty charged on some) and its terms.</summary>
public sealed record LoanState(IReadOnlyList<LoanPeriod> Periods, decimal AnnualRate, RepaymentMethod Method, DateOnly DisbursedOn, DateOnly On)
{
    /// <summary>The unpaid principal of the periods due after <see cref="On"/>: what a prepayment can reduce.</summary>
    public long PrincipalNotYetDue => Periods.Where(p => p.DueDate > On).Sum(p => p.Outstanding.Principal);

    public override string ToString() =>
        $"{Method} at {AnnualRate} from {DisbursedOn:yyyy-MM-dd} on {On:yyyy-MM-dd}: " + string.Join("; ", Periods.Select(p =>
            $"{p.Period} {p.DueDate:yyyy-MM-dd} due {p.Due.Principal}/{p.Due.Interest}/{p.Due.Penalty}/{p.Due.Fee} paid {p.Paid.Principal}/{p.Paid.Interest}/{p.Paid.Penalty}/{p.Paid.Fee}"));
}

/// <summary>A loan whose borrower has paid everything due and accrued to the day (the state a prepayment starts from).</summary>
public sealed record PaidToDateLoan(LoanState State)
{
    public override string ToString() => State.ToString();
}

/// <summary>
/// Loans in any state a stored schedule can reach: anything paid or unpaid on periods due by the day, penalty charged on
/// some, the running period's interest and principal partly paid in advance, now and then principal paid in advance on
/// later periods. And loans paid to date, nothing paid in advance but the running period's accrued interest.
/// </summary>
public static class LoanStateArbitrary
{
    private static readonly Gen<long> Principal = Gen.Frequency(
        (1, Gen.Choose(1, 1_000).Select(i => (long)i)),
        (1, Gen.Constant(ScheduleLimits.MaxPrincipal)),
        (6, from millions in Gen.Choose(0, 9_999) from rest in Gen.Choose(0, 999_999) select (millions * 1_000_000L) + rest + 1));

    // Up to 6 decimals, mostly where lending rates are (and above, to 100 %).
    private static readonly Gen<decimal> Rate = Gen.Frequency(
        (1, Gen.Constant(0m)),
        (1, Gen.Constant(1m)),
        (8, Gen.Choose(0, 360_000).Select(i => i / 1_000_000m)));

    private static readonly Gen<int> Term = Gen.Frequency(
        (1, Gen.Elements(1, 2, 360)),
        (4, Gen.Choose(1, 36)),
        (2, Gen.Choose(1, 360)));

    private static readonly Gen<DateOnly> Start =
        Gen.Choose(new DateOnly(2000, 1, 1).DayNumber, new DateOnly(2100, 12, 31).DayNumber).Select(DateOnly.FromDayNumber);

    private static Gen<LoanState> States(bool paidToDate) =>
        from principal in Principal
        from rate in Rate
        from term in Term
        from method in Gen.Elements(Enum.GetValues<RepaymentMethod>())
        from start in Start
        from fee in Gen.Frequency((1, Gen.Constant(0L)), (3, Gen.Choose(1, 5_000).Select(f => (long)f)))
        from seed in Gen.Choose(0, int.MaxValue)
        select Build(new ScheduleTerms(principal, rate, term, method, start), fee, seed, paidToDate);

    public static Arbitrary<LoanState> Any() => Arb.From(States(paidToDate: false));

    public static Arbitrary<PaidToDateLoan> PaidToDate() => Arb.From(States(paidToDate: true).Select(s => new PaidToDateLoan(s)));

    private static LoanState Build(ScheduleTerms terms, long fee, int seed, bool paidToDate)
    {
        var random = new Random(seed);
        var periods = LoanSchedule.From(ScheduleCalculator.Build(terms), fee).ToArray();
        var last = periods[^1].DueDate;

        // Mostly a day inside the term (a period is running), sometimes on or after the last due date.
        var on = random.Next(8) > 0
            ? terms.StartDate.AddDays(random.Next(last.DayNumber - terms.StartDate.DayNumber))
            : last.AddDays(random.Next(60));
        var state = new LoanState(periods, terms.AnnualRate, terms.Method, terms.StartDate, on);
        var accrued = RunningAccrual(state);
        for (var i = 0; i < periods.Length; i++)
        {
            var p = periods[i];
            if (p.DueDate <= on)
            {
                periods[i] = paidToDate ? p with { Paid = p.Due } : PastDue(p, random);
            }
            else if (i == 0 || periods[i - 1].DueDate <= on)
            {
                var interest = random.Next(3) switch { 0 => 0, 1 => Math.Min(accrued, p.Due.Interest), _ => Part(p.Due.Interest, random) };
                var principal = paidToDate || random.Next(3) > 0 ? 0 : Part(p.Due.Principal, random);
                periods[i] = p with { Paid = new LoanComponents(principal, paidToDate ? Math.Min(accrued, p.Due.Interest) : interest, 0, 0) };
            }
            else if (!paidToDate && random.Next(6) == 0)
            {
                periods[i] = p with { Paid = new LoanComponents(Part(p.Due.Principal, random), 0, 0, 0) };
            }
        }

        return state with { Periods = periods };
    }

    /// <summary>A period due by the day: paid in full, in part or not at all, with some penalty charged when it was late.</summary>
    private static LoanPeriod PastDue(LoanPeriod p, Random random)
    {
        var due = p.Due with { Penalty = random.Next(3) == 0 ? random.Next(5_000) : 0 };
        return random.Next(3) switch
        {
            0 => p with { Due = due, Paid = due },
            1 => p with { Due = due, Paid = new LoanComponents(Part(due.Principal, random), Part(due.Interest, random), Part(due.Penalty, random), Part(due.Fee, random)) },
            _ => p with { Due = due },
        };
    }

    private static long Part(long of, Random random) => of <= 0 ? 0 : random.NextInt64(of + 1);

    /// <summary>The running period's interest from its start to the day on the unpaid principal not yet due (nothing paid yet).</summary>
    private static long RunningAccrual(LoanState state)
    {
        var index = state.Periods.ToList().FindIndex(p => p.DueDate > state.On);
        if (index < 0)
        {
            return 0;
        }

        var start = index == 0 ? state.DisbursedOn : state.Periods[index - 1].DueDate;
        return InterestAccrual.Interest(state.PrincipalNotYetDue, state.AnnualRate, start, state.On, state.Periods[index].Due.Interest);
    }
}
