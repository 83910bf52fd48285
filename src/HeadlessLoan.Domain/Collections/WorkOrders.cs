namespace HeadlessLoan.Domain.Collections;

/// <summary>How work orders are handed to collectors.</summary>
public enum AssignmentRule
{
    /// <summary>In turn: the matching collector who was given an order longest ago.</summary>
    RoundRobin,

    /// <summary>The matching collector with the fewest open orders (then the one given an order longest ago).</summary>
    LeastLoaded,
}

/// <summary>A collector as assignment sees them: the regions they work (region-code prefixes; empty = everywhere), their open orders and last assignment.</summary>
public sealed record CollectorSlot(Guid StaffId, IReadOnlyList<string> Regions, int OpenOrders, DateTime? LastAssignedAt)
{
    /// <summary>Whether the collector works <paramref name="regionCode"/> (110101 is in 11 and in 1101).</summary>
    public bool Covers(string regionCode) => Regions.Count == 0 || Regions.Any(r => regionCode.StartsWith(r, StringComparison.Ordinal));
}

/// <summary>A work order waiting for a collector.</summary>
public readonly record struct UnassignedOrder(Guid Id, string RegionCode, int Priority);

public static class WorkOrderRules
{
    /// <summary>What each broken promise adds to an order's priority: it goes back to the top of the collector's list.</summary>
    public const int BrokenPromiseBoost = 500;

    /// <summary>
    /// How urgent an order is, higher first: ten points a day past due and one per 100 CNY overdue (at most 1,000), so a
    /// month late outweighs a larger but fresher debt only up to 10,000 CNY; each broken promise re-escalates it.
    /// </summary>
    public static int Priority(int daysPastDue, long overdueFen, int brokenPromises = 0) =>
        (int)Math.Min(int.MaxValue / 2, Math.Max(0, daysPastDue) * 10L + Math.Clamp(overdueFen / 10_000, 0, 1_000) + Math.Max(0, brokenPromises) * (long)BrokenPromiseBoost);

    /// <summary>
    /// Hands each order, most urgent first, to a collector who covers its region, by <paramref name="rule"/>; an order no
    /// active collector covers stays unassigned. Each assignment counts at once, so one batch spreads as the rule says.
    /// </summary>
    public static IReadOnlyList<(Guid OrderId, Guid CollectorId)> Assign(IEnumerable<UnassignedOrder> orders, IEnumerable<CollectorSlot> collectors, AssignmentRule rule, DateTime now)
    {
        var slots = collectors.ToList();
        var assigned = new List<(Guid, Guid)>();
        var tick = 0;
        foreach (var order in orders.OrderByDescending(o => o.Priority).ThenBy(o => o.Id))
        {
            var candidates = slots.Where(s => s.Covers(order.RegionCode));
            var chosen = (rule == AssignmentRule.LeastLoaded ? candidates.OrderBy(s => s.OpenOrders) : candidates.OrderBy(_ => 0))
                .ThenBy(s => s.LastAssignedAt ?? DateTime.MinValue).ThenBy(s => s.StaffId).FirstOrDefault();
            if (chosen is null)
            {
                continue;
            }

            assigned.Add((order.Id, chosen.StaffId));
            // Later in the same batch than any earlier assignment, so round robin moves on.
            slots[slots.IndexOf(chosen)] = chosen with { OpenOrders = chosen.OpenOrders + 1, LastAssignedAt = now.AddTicks(++tick) };
        }

        return assigned;
    }

    /// <summary>A promise is kept when what the loan was paid since it was made reaches the amount promised.</summary>
    public static bool Kept(long paidSincePromise, long promisedAmount) => paidSincePromise >= promisedAmount;
}
