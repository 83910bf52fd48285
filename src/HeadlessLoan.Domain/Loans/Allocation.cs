using HeadlessLoan.Domain.Ledger;

namespace HeadlessLoan.Domain.Loans;

/// <summary>When a period's money falls due relative to the day a payment is applied.</summary>
public enum DueType
{
    /// <summary>Its due date is before the payment's day.</summary>
    PastDue,

    /// <summary>It falls due on the payment's day.</summary>
    Due,

    /// <summary>It falls due later: paying it is paying in advance.</summary>
    InAdvance,
}

/// <summary>What a part of a period is owed for.</summary>
public enum OwedComponent
{
    Penalty,
    Fee,
    Interest,
    Principal,
}

/// <summary>One step of an allocation order: this component of the periods of this due type.</summary>
public readonly record struct AllocationRule(DueType Due, OwedComponent Component);

/// <summary>
/// Where a repayment goes, as an ordered list over (past due | due | in advance) × (penalty | fee | interest |
/// principal): every one of the twelve pairs exactly once, the pairs of one due type together (periods are paid
/// due type by due type, oldest period first, each period's components in the order its due type lists them).
/// This is Apache Fineract's advanced payment allocation, processed horizontally. Two orders are equal when they list
/// the same pairs in the same order.
/// </summary>
public sealed class AllocationOrder : IEquatable<AllocationOrder>
{
    private AllocationOrder(IReadOnlyList<AllocationRule> rules) => Rules = rules;

    public IReadOnlyList<AllocationRule> Rules { get; }

    /// <summary>Penalty, fee, interest, principal within each due type; past due first ("mifos standard"): the default.</summary>
    public static AllocationOrder PenaltyFeeInterestPrincipal { get; } =
        Within([OwedComponent.Penalty, OwedComponent.Fee, OwedComponent.Interest, OwedComponent.Principal]);

    /// <summary>Interest, principal, penalty, fee within each due type; past due first.</summary>
    public static AllocationOrder InterestPrincipalPenaltyFee { get; } =
        Within([OwedComponent.Interest, OwedComponent.Principal, OwedComponent.Penalty, OwedComponent.Fee]);

    /// <summary>The order, or the reason it is not one (<see cref="Problem"/>) as an <see cref="ArgumentException"/>.</summary>
    public static AllocationOrder Create(IReadOnlyList<AllocationRule> rules) =>
        Problem(rules) is { } problem ? throw new ArgumentException(problem, nameof(rules)) : new AllocationOrder(rules.ToArray());

    /// <summary>
    /// Why <paramref name="rules"/> are not an allocation order, in words for whoever gave them, or null when they are:
    /// each of the twelve pairs exactly once (an unknown due type or component is none of them), the pairs of one due
    /// type together.
    /// </summary>
    public static string? Problem(IReadOnlyList<AllocationRule> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var every = Enum.GetValues<DueType>().SelectMany(d => Enum.GetValues<OwedComponent>().Select(c => new AllocationRule(d, c))).ToHashSet();
        if (rules.Count != every.Count || !rules.ToHashSet().SetEquals(every))
        {
            return $"An allocation order lists each of the {every.Count} (due type, component) pairs exactly once.";
        }

        var groups = rules.Select(r => r.Due).Distinct().Count();
        var changes = rules.Zip(rules.Skip(1)).Count(p => p.First.Due != p.Second.Due);
        return changes != groups - 1 ? "The pairs of one due type come together: periods are paid due type by due type." : null;
    }

    public bool Equals(AllocationOrder? other) => other is not null && Rules.SequenceEqual(other.Rules);

    public override bool Equals(object? obj) => Equals(obj as AllocationOrder);

    public override int GetHashCode() => Rules.Aggregate(0, (hash, rule) => HashCode.Combine(hash, rule));

    private static AllocationOrder Within(OwedComponent[] components) =>
        Create([.. Enum.GetValues<DueType>().SelectMany(d => components.Select(c => new AllocationRule(d, c)))]);
}

/// <summary>What is owed on one period now; for a period not yet due, only what may be paid in advance (interest accrued so far, principal).</summary>
public sealed record PeriodOwed(int Period, DateOnly DueDate, LoanComponents Owed);

/// <summary>What a payment paid on each period it reached (oldest first), and what was left over (the borrower's credit).</summary>
public sealed record Allocation(IReadOnlyList<(int Period, LoanComponents Paid)> Periods, long LeftOver)
{
    public LoanComponents Total => Periods.Aggregate(new LoanComponents(0, 0, 0, 0), (sum, p) => new LoanComponents(
        sum.Principal + p.Paid.Principal, sum.Interest + p.Paid.Interest, sum.Penalty + p.Paid.Penalty, sum.Fee + p.Paid.Fee));
}

/// <summary>Splits a payment over what is owed, by an <see cref="AllocationOrder"/>: pure, to the fen.</summary>
public static class Allocator
{
    public static DueType DueTypeOf(DateOnly dueDate, DateOnly on) => dueDate < on ? DueType.PastDue : dueDate == on ? DueType.Due : DueType.InAdvance;

    public static Allocation Allocate(IReadOnlyList<PeriodOwed> periods, DateOnly on, long amount, AllocationOrder order)
    {
        ArgumentNullException.ThrowIfNull(periods);
        ArgumentNullException.ThrowIfNull(order);
        ArgumentOutOfRangeException.ThrowIfNegative(amount);
        var paid = periods.ToDictionary(p => p.Period, _ => new long[4]);
        var left = amount;
        foreach (var group in order.Rules.GroupBy(r => r.Due))
        {
            foreach (var period in periods.Where(p => DueTypeOf(p.DueDate, on) == group.Key).OrderBy(p => p.DueDate).ThenBy(p => p.Period))
            {
                foreach (var rule in group)
                {
                    var take = Math.Min(left, Owed(period.Owed, rule.Component));
                    paid[period.Period][(int)rule.Component] += take;
                    left -= take;
                }
            }
        }

        var reached = periods.OrderBy(p => p.DueDate).ThenBy(p => p.Period)
            .Select(p => (p.Period, Paid: ToComponents(paid[p.Period]))).Where(p => p.Paid.Total > 0).ToList();
        return new Allocation(reached, left);
    }

    private static long Owed(LoanComponents owed, OwedComponent component) => component switch
    {
        OwedComponent.Penalty => owed.Penalty,
        OwedComponent.Fee => owed.Fee,
        OwedComponent.Interest => owed.Interest,
        OwedComponent.Principal => owed.Principal,
        _ => throw new ArgumentOutOfRangeException(nameof(component), component, "Unknown component."),
    };

    private static LoanComponents ToComponents(long[] byComponent) => new(
        byComponent[(int)OwedComponent.Principal], byComponent[(int)OwedComponent.Interest],
        byComponent[(int)OwedComponent.Penalty], byComponent[(int)OwedComponent.Fee]);
}
