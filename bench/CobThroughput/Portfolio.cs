using HeadlessLoan.Domain.Overdue;
using HeadlessLoan.Domain.Schedules;

namespace HeadlessLoan.Bench;

/// <summary>
/// The benchmark's portfolio: loan n (1 … N) is a function of n alone, so the generator (set-based SQL,
/// <see cref="Generator"/>) and the expectation (<see cref="Expect"/>, plain C# over the same rules) build the same book
/// without reading each other. Each rule is written twice, side by side: as C# and as the SQL expression over a row's n.
/// <list type="bullet">
/// <item>12-month equal-installment loans of 10,000 to 50,000 CNY at 10 % a year, on two products (daily penalty 0.02 %
/// and 0.05 %), all-in ceiling 12 % (4 × an LPR of 3 %); schedules by the domain's own calculator.</item>
/// <item>One loan in 12 (8.3 %) has a period past due on the COB date: mostly 2 to 90 days, some far past due, about
/// 3 % of them falling due the day before (they go overdue tonight), and a few crossing 91, 271 or 361 days, so they
/// move class. Every other loan has paid each period due before the COB date; its next due date is 0 to 27 days on.</item>
/// <item>Each is in the state the service leaves after closing the day before the COB date: status, days past due, class,
/// the penalty charged so far on each overdue period, the interest accrued so far (each period due in full, the running
/// one by its days), its ledger entries and balances, a credit line.</item>
/// </list>
/// </summary>
internal sealed class Portfolio(int loans, DateOnly cobDate)
{
    public const int Term = 12;
    public const decimal AnnualRate = 0.10m;
    public const decimal OneYearLpr = 0.03m;
    public const decimal Ceiling = 0.12m;

    /// <summary>The products' penalty cap, as a share of principal (each loan keeps it in fen).</summary>
    public const decimal PenaltyCapShare = 0.24m;
    public static readonly decimal[] PenaltyDailyRates = [0.0002m, 0.0005m];
    public const int PrincipalSteps = 41;

    public int Loans => loans;

    public DateOnly CobDate => cobDate;

    /// <summary>The day the COB date is closed on: business date = COB date + 1.</summary>
    public DateOnly BusinessDate => cobDate.AddDays(1);

    public static long PrincipalOf(int step) => 1_000_000 + (step * 100_000L);

    /// <summary>The schedule of each principal step, as the service would make it (amounts do not depend on the dates).</summary>
    public static IReadOnlyList<Schedule> Schedules { get; } = Enumerable.Range(0, PrincipalSteps)
        .Select(s => ScheduleCalculator.Build(new ScheduleTerms(PrincipalOf(s), AnnualRate, Term, RepaymentMethod.EqualInstallment, new DateOnly(2026, 1, 1))))
        .ToList();

    // ---- The rules, C# and SQL. In SQL, n is the row's number and r its mixed number (see Mix).

    public static bool IsOverdue(long n) => n % 12 == 6;

    public const string IsOverdueSql = "n % 12 = 6";

    /// <summary>A scatter of the overdue loans' numbers, so small and large books alike spread over every bucket.</summary>
    public static long Mix(long n) => ((n / 12 * 7919) + 104729) % 1000003;

    public const string MixSql = "((n DIV 12) * 7919 + 104729) % 1000003";

    public static int PrincipalStep(long n) => (int)(n * 7 % PrincipalSteps);

    public const string PrincipalStepSql = "n * 7 % 41";

    public static int Product(long n) => (int)(n / 7 % 2);

    public const string ProductSql = "n DIV 7 % 2";

    /// <summary>Days past due an overdue loan is meant to reach on the COB date (one more than the day before).</summary>
    public static int TargetDaysPastDue(long r)
    {
        var (bucket, s) = (r % 100, r / 100);
        return (int)(bucket < 3 ? 1 : bucket < 50 ? 2 + (s % 29) : bucket < 75 ? 31 + (s % 60) : bucket < 90 ? 91 + (s % 180) : bucket < 97 ? 271 + (s % 90) : 361 + (s % 90));
    }

    public const string TargetDaysPastDueSql = """
        CASE WHEN r % 100 < 3 THEN 1 WHEN r % 100 < 50 THEN 2 + (r DIV 100) % 29 WHEN r % 100 < 75 THEN 31 + (r DIV 100) % 60
             WHEN r % 100 < 90 THEN 91 + (r DIV 100) % 180 WHEN r % 100 < 97 THEN 271 + (r DIV 100) % 90 ELSE 361 + (r DIV 100) % 90 END
        """;

    /// <summary>The oldest period not paid: an overdue loan stopped paying there; a current loan is next due there.</summary>
    public static int FirstUnpaid(long n) => IsOverdue(n) ? 1 + (int)(Mix(n) / 7 % 12) : 1 + (int)(n / 12 % 12);

    public const string FirstUnpaidSql = "IF(n % 12 = 6, 1 + (r DIV 7) % 12, 1 + (n DIV 12) % 12)";

    /// <summary>
    /// The payout date: the first unpaid period falls due so many days before the COB date (overdue) or 0 to 27 days
    /// after it (current), and the payout was that many months earlier. Due dates are payout + k months, as the service
    /// makes them, so a month end may move the due date a day or three earlier than meant; the days past due are
    /// reckoned from the real due date on both sides.
    /// </summary>
    public DateOnly DisbursedOn(long n) =>
        (IsOverdue(n) ? cobDate.AddDays(-TargetDaysPastDue(Mix(n))) : cobDate.AddDays((int)(n % 28))).AddMonths(-FirstUnpaid(n));

    public const string DisbursedOnSql = $"""
        DATE_SUB(IF(n % 12 = 6, DATE_SUB(@cob, INTERVAL ({TargetDaysPastDueSql}) DAY), DATE_ADD(@cob, INTERVAL n % 28 DAY)),
                 INTERVAL ({FirstUnpaidSql}) MONTH)
        """;

    /// <summary>Days past due on the COB date (0 for a current loan).</summary>
    public int DaysPastDue(long n) => IsOverdue(n) ? cobDate.DayNumber - DisbursedOn(n).AddMonths(FirstUnpaid(n)).DayNumber : 0;

    /// <summary>The version-1 table of migration 0025, as docs/close-of-business.md states it.</summary>
    public static RiskClass ClassOf(int daysPastDue) =>
        daysPastDue > 360 ? RiskClass.Loss : daysPastDue > 270 ? RiskClass.Doubtful : daysPastDue > 90 ? RiskClass.Substandard
        : daysPastDue > 0 ? RiskClass.SpecialMention : RiskClass.Normal;

    public static string ClassOfSql(string daysPastDue) => $"""
        CASE WHEN {daysPastDue} > 360 THEN 'loss' WHEN {daysPastDue} > 270 THEN 'doubtful' WHEN {daysPastDue} > 90 THEN 'substandard'
             WHEN {daysPastDue} > 0 THEN 'special_mention' ELSE 'normal' END
        """;

    /// <summary>Every loan's id: the shape of a version-7 id, numbered so that id order is n order.</summary>
    public static string IdSql(string kind) => $"CONCAT('01970000-0000-7000-{kind}-', LPAD(LOWER(HEX(n)), 12, '0'))";

    /// <summary>What closing the COB date must come to, from the rules above alone.</summary>
    public Expected Expect()
    {
        long overdue = 0, wentOverdue = 0, classMoves = 0, moves = 0, daysPastDueSum = 0, principalOutstanding = 0;
        long accruedBefore = 0, accruedAfter = 0, interestTonight = 0, interestLoans = 0, interestOutstanding = 0;
        var byClass = new long[Enum.GetValues<RiskClass>().Length];
        var paidBefore = Schedules.Select(s => PaidBefore(s)).ToList();
        for (long n = 1; n <= loans; n++)
        {
            var dpd = DaysPastDue(n);
            var before = Math.Max(dpd - 1, 0);
            overdue += dpd > 0 ? 1 : 0;
            wentOverdue += before == 0 && dpd > 0 ? 1 : 0;
            classMoves += ClassOf(before) != ClassOf(dpd) ? 1 : 0;
            moves += (before == 0) != (dpd == 0) || ClassOf(before) != ClassOf(dpd) ? 1 : 0;
            daysPastDueSum += dpd;
            byClass[(int)ClassOf(dpd)]++;
            principalOutstanding += PrincipalOf(PrincipalStep(n)) - paidBefore[PrincipalStep(n)][FirstUnpaid(n)];
            var (accruedThen, accruedNow) = (InterestAccruedBy(n, cobDate.AddDays(-1)), InterestAccruedBy(n, cobDate));
            accruedBefore += accruedThen;
            accruedAfter += accruedNow;
            interestTonight += accruedNow - accruedThen;
            interestLoans += accruedNow > accruedThen ? 1 : 0;
            interestOutstanding += accruedNow - Schedules[PrincipalStep(n)].Periods.Take(FirstUnpaid(n) - 1).Sum(s => s.Interest);
        }

        return new Expected(loans, overdue, wentOverdue, classMoves, moves, daysPastDueSum, byClass, principalOutstanding,
            new InterestExpected(accruedBefore, accruedAfter, interestTonight, interestLoans, interestOutstanding));
    }

    /// <summary>
    /// The interest loan n holds accrued at the end of <paramref name="date"/>, as docs/close-of-business.md states the
    /// accrual basis: each period due by then whole; the period running, round_half_up(principal not yet due × annual
    /// rate × days / 360) for its days from its start (the previous due date, or the payout) through that date, never
    /// more than its scheduled interest; later periods nothing.
    /// </summary>
    public long InterestAccruedBy(long n, DateOnly date)
    {
        var periods = Schedules[PrincipalStep(n)].Periods;
        var (payout, firstUnpaid) = (DisbursedOn(n), FirstUnpaid(n));
        long accrued = 0;
        for (var k = 1; k <= Term; k++)
        {
            var (start, due, interest) = (payout.AddMonths(k - 1), payout.AddMonths(k), periods[k - 1].Interest);
            if (due <= date)
            {
                accrued += interest;
            }
            else if (start <= date)
            {
                var notYetDue = periods.Where(q => q.Period >= k && q.Period >= firstUnpaid).Sum(q => q.Principal);
                var earned = Math.Round(notYetDue * AnnualRate * (date.DayNumber + 1 - start.DayNumber) / 360m, MidpointRounding.AwayFromZero);
                accrued += Math.Min(interest, (long)earned);
            }
        }

        return accrued;
    }

    /// <summary>Principal repaid before each period (index: the first unpaid period, 1 … 12).</summary>
    private static long[] PaidBefore(Schedule schedule)
    {
        var paid = new long[Term + 1];
        for (var p = 1; p <= Term; p++)
        {
            paid[p] = p == 1 ? 0 : paid[p - 1] + schedule.Periods[p - 2].Principal;
        }

        return paid;
    }
}

/// <summary>What the close of one COB date over the portfolio must leave.</summary>
/// <param name="Moves">Loans whose status or class the close changes: each is audited and announced.</param>
/// <param name="ByClass">Loans per risk class after the close, indexed by <see cref="RiskClass"/>.</param>
/// <param name="PrincipalOutstanding">The principal still owed, summed over every loan (the snapshots must say the same).</param>
internal sealed record Expected(
    long Loans, long Overdue, long WentOverdue, long ClassMoves, long Moves, long DaysPastDueSum, long[] ByClass, long PrincipalOutstanding,
    InterestExpected Interest);

/// <summary>The interest side of the close, in fen over the whole book.</summary>
/// <param name="AccruedBefore">Interest accrued on the periods as generated (through the day before the COB date).</param>
/// <param name="AccruedAfter">Interest accrued on the periods once the COB date is closed.</param>
/// <param name="Tonight">What the close accrues: the difference.</param>
/// <param name="Loans">Loans that accrue interest tonight.</param>
/// <param name="Outstanding">Interest accrued and not paid after the close (the snapshots must say the same).</param>
internal sealed record InterestExpected(long AccruedBefore, long AccruedAfter, long Tonight, long Loans, long Outstanding);
