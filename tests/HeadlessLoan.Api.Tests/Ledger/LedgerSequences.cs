using FsCheck;
using FsCheck.Fluent;

namespace HeadlessLoan.Api.Tests.Ledger;

/// <summary>What the sequence's product does with what a payment leaves over.</summary>
public enum Leftover { Credit, PrepayLowerInstallment, PrepayShortenTerm }

/// <summary>How WeChat Pay ends a refund: the sandbox's magic amounts choose the last two (908 CLOSED, 909 ABNORMAL).</summary>
public enum RefundEnd { Succeeded, Closed, Abnormal }

/// <summary>One money movement of a sequence. <c>Loan</c> picks one of the loans paid out so far (modulo their number).</summary>
public abstract record SequenceStep;

/// <summary>A loan applied for, accepted and paid out by the sandbox bank; the principal's last three digits choose how (docs/sandbox.md).</summary>
public sealed record Disburse(string Method, int TermMonths, long Principal) : SequenceStep;

/// <summary>
/// A WeChat Pay repayment <paramref name="DaysLater"/> days on. For kind <c>amount</c>, <paramref name="Permille"/> of what a
/// payment reaches that day (the periods fallen due and the running one): below 1000 a part of it, above it an overpayment.
/// </summary>
public sealed record Repay(int Loan, int DaysLater, string Kind, int Permille) : SequenceStep;

/// <summary>A transfer recorded and approved by staff, <paramref name="Permille"/> of what a payment reaches, received <paramref name="DaysBack"/> days ago.</summary>
public sealed record PayOffline(int Loan, int DaysLater, int Permille, int DaysBack) : SequenceStep;

/// <summary>A refund of <paramref name="Permille"/> of the borrower's credit (or the magic amount of <paramref name="End"/>), asked, approved and sent.</summary>
public sealed record RefundCredit(int Loan, RefundEnd End, int Permille) : SequenceStep;

public sealed record LedgerSequence(Leftover Leftover, IReadOnlyList<SequenceStep> Steps)
{
    public override string ToString() => $"{Leftover}:\n  " + string.Join("\n  ", Steps);
}

/// <summary>
/// Random sequences of money movements: 2 to 6 chunks, at most <see cref="MaxSteps"/> steps, the first a disbursement. On a
/// product that keeps overpayments as credit, a refund follows right after an overpayment; on a prepaying product the
/// overpayment prepays, and a refund comes alone (usually refused: there is no credit).
/// </summary>
public static class LedgerSequences
{
    public const int MaxSteps = 8;

    public static readonly string[] Methods = ["equal_installment", "equal_principal", "interest_first", "bullet"];

    public static Gen<LedgerSequence> Sequences { get; } =
        from leftover in Gen.Frequency((2, Gen.Constant(Leftover.Credit)), (1, Gen.Constant(Leftover.PrepayLowerInstallment)),
            (1, Gen.Constant(Leftover.PrepayShortenTerm)))
        from first in Disbursement
        from more in Gen.Choose(1, 5)
        from chunks in Chunk(leftover).ListOf(more)
        select new LedgerSequence(leftover, Fit([[first], .. chunks]));

    private static Gen<SequenceStep> Disbursement { get; } =
        from method in Gen.Elements(Methods)
        from term in Gen.Choose(3, 12)
        from thousands in Gen.Choose(300, 1_999)
        from bank in Gen.Elements(0, 2, 4, 5) // at once; a callback later; never a callback (a query); three callbacks
        select (SequenceStep)new Disburse(method, term, thousands * 1_000L + bank);

    private static Gen<int> Loan { get; } = Gen.Choose(0, 3);

    // Often the same day; else days on, or past a due date or two so that something falls overdue.
    private static Gen<int> DaysLater { get; } = Gen.Frequency((3, Gen.Constant(0)), (2, Gen.Choose(1, 40)), (1, Gen.Choose(28, 75)));

    private static Gen<SequenceStep> Repayment { get; } =
        from loan in Loan
        from days in DaysLater
        from kind in Gen.Frequency((3, Gen.Constant("next_due")), (2, Gen.Constant("overdue")), (2, Gen.Constant("amount")), (1, Gen.Constant("payoff")))
        from part in Gen.Choose(1, 999)
        select (SequenceStep)new Repay(loan, days, kind, kind == "amount" ? part : 0);

    private static Gen<SequenceStep> Overpayment { get; } =
        from loan in Loan
        from days in DaysLater
        from above in Gen.Choose(200, 1_000)
        select (SequenceStep)new Repay(loan, days, "amount", 1_000 + above);

    private static Gen<SequenceStep> Offline { get; } =
        from loan in Loan
        from days in DaysLater
        from permille in Gen.Frequency((2, Gen.Choose(1, 999)), (1, Gen.Constant(1_000)), (1, Gen.Choose(1_200, 3_000)))
        from back in Gen.Frequency((3, Gen.Constant(0)), (1, Gen.Choose(1, 40)))
        select (SequenceStep)new PayOffline(loan, days, permille, back);

    private static Gen<RefundEnd> RefundEnds { get; } =
        Gen.Frequency((4, Gen.Constant(RefundEnd.Succeeded)), (1, Gen.Constant(RefundEnd.Closed)), (1, Gen.Constant(RefundEnd.Abnormal)));

    private static Gen<SequenceStep[]> Chunk(Leftover leftover)
    {
        var disbursement = Disbursement.Select(d => new[] { d });
        var repayment = Repayment.Select(r => new[] { r });
        var offline = Offline.Select(o => new[] { o });
        if (leftover == Leftover.Credit)
        {
            // The refund is of the loan just overpaid.
            var overpaidAndRefunded =
                from over in Overpayment
                from end in RefundEnds
                from share in Gen.Choose(1, 1_000)
                select new[] { over, new RefundCredit(((Repay)over).Loan, end, share) };
            return Gen.Frequency((1, disbursement), (4, repayment), (3, overpaidAndRefunded), (2, offline));
        }

        var loneRefund = from loan in Loan from end in RefundEnds from share in Gen.Choose(1, 1_000) select new SequenceStep[] { new RefundCredit(loan, end, share) };
        return Gen.Frequency((1, disbursement), (4, repayment), (3, Overpayment.Select(o => new[] { o })), (2, offline), (1, loneRefund));
    }

    /// <summary>The chunks in order, as many as fit in <see cref="MaxSteps"/> (a chunk is never cut).</summary>
    private static List<SequenceStep> Fit(IEnumerable<SequenceStep[]> chunks)
    {
        var steps = new List<SequenceStep>();
        foreach (var chunk in chunks)
        {
            if (steps.Count + chunk.Length > MaxSteps)
            {
                break;
            }

            steps.AddRange(chunk);
        }

        return steps;
    }

    /// <summary>The sequence the seed gives, the same on every run (for replaying a failure).</summary>
    public static LedgerSequence For(ulong seed) => Sequences.Sample(1, new Rnd(seed), 10).Single();
}
