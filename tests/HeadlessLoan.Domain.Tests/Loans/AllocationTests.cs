using FsCheck.Xunit;
using HeadlessLoan.Domain.Ledger;
using HeadlessLoan.Domain.Loans;

namespace HeadlessLoan.Domain.Tests.Loans;

public sealed class AllocationTests
{
    private static readonly DateOnly Today = new(2026, 6, 15);

    /// <summary>Two past-due periods, one due today, one in advance (only principal and accrued interest payable).</summary>
    private static readonly PeriodOwed[] Periods =
    [
        new(2, new DateOnly(2026, 5, 15), new LoanComponents(Principal: 800, Interest: 200, Penalty: 30, Fee: 10)),
        new(1, new DateOnly(2026, 4, 15), new LoanComponents(Principal: 790, Interest: 210, Penalty: 60, Fee: 0)),
        new(3, Today, new LoanComponents(Principal: 810, Interest: 190, Penalty: 0, Fee: 0)),
        new(4, new DateOnly(2026, 7, 15), new LoanComponents(Principal: 820, Interest: 0, Penalty: 0, Fee: 0)),
    ];

    [Fact]
    public void Penalty_fee_interest_principal_pays_the_oldest_past_due_period_first_component_by_component()
    {
        var allocation = Allocator.Allocate(Periods, Today, 1_100, AllocationOrder.PenaltyFeeInterestPrincipal);

        Assert.Equal([(1, new LoanComponents(790, 210, 60, 0)), (2, new LoanComponents(0, 0, 30, 10))], allocation.Periods);
        Assert.Equal(0, allocation.LeftOver);
    }

    [Fact]
    public void Interest_principal_penalty_fee_leaves_penalties_for_last_within_each_period()
    {
        var interestFirst = Allocator.Allocate(Periods, Today, 1_000, AllocationOrder.InterestPrincipalPenaltyFee);
        var penaltyFirst = Allocator.Allocate(Periods, Today, 1_000, AllocationOrder.PenaltyFeeInterestPrincipal);

        Assert.Equal([(1, new LoanComponents(790, 210, 0, 0))], interestFirst.Periods);
        Assert.Equal([(1, new LoanComponents(730, 210, 60, 0))], penaltyFirst.Periods);
    }

    [Fact]
    public void Past_due_then_due_then_in_advance_and_what_is_left_is_the_borrowers_credit()
    {
        var owed = Periods.Sum(p => p.Owed.Total);

        var allocation = Allocator.Allocate(Periods, Today, owed + 123, AllocationOrder.PenaltyFeeInterestPrincipal);

        Assert.Equal([1, 2, 3, 4], allocation.Periods.Select(p => p.Period));
        Assert.Equal(123, allocation.LeftOver);
        Assert.Equal(owed, allocation.Total.Total);
    }

    [Fact]
    public void An_order_must_list_every_pair_once_with_each_due_type_together()
    {
        var rules = AllocationOrder.PenaltyFeeInterestPrincipal.Rules;
        Assert.Throws<ArgumentException>(() => AllocationOrder.Create(rules.Take(11).ToList()));
        Assert.Throws<ArgumentException>(() => AllocationOrder.Create([.. rules.Take(11), rules[0]]));
        // A past-due pair moved among the in-advance ones: the due types are no longer grouped.
        Assert.Throws<ArgumentException>(() => AllocationOrder.Create([.. rules.Skip(1), rules[0]]));
        Assert.Equal(12, AllocationOrder.Create([.. rules.Skip(4), .. rules.Take(4)]).Rules.Count); // another due-type order is fine
    }

    [Fact]
    public void Problem_says_in_words_why_rules_are_not_an_order_and_nothing_when_they_are()
    {
        var rules = AllocationOrder.PenaltyFeeInterestPrincipal.Rules;

        Assert.Null(AllocationOrder.Problem(rules));
        Assert.Null(AllocationOrder.Problem(AllocationOrder.InterestPrincipalPenaltyFee.Rules));
        Assert.Contains("exactly once", AllocationOrder.Problem([.. rules.Take(11), new AllocationRule((DueType)7, OwedComponent.Fee)]), StringComparison.Ordinal);
        Assert.Contains("together", AllocationOrder.Problem([.. rules.Skip(1), rules[0]]), StringComparison.Ordinal);
    }

    [Fact]
    public void Orders_listing_the_same_pairs_in_the_same_order_are_equal()
    {
        var again = AllocationOrder.Create([.. AllocationOrder.InterestPrincipalPenaltyFee.Rules]);

        Assert.Equal(AllocationOrder.InterestPrincipalPenaltyFee, again);
        Assert.Equal(AllocationOrder.InterestPrincipalPenaltyFee.GetHashCode(), again.GetHashCode());
        Assert.NotEqual(AllocationOrder.PenaltyFeeInterestPrincipal, again);
        Assert.Equal(
            new PaymentRules(again, Overpayment.Credit, PrepaymentMode.ReduceInstallment),
            PaymentRules.Default with { Order = AllocationOrder.InterestPrincipalPenaltyFee });
    }

    [Property(MaxTest = 300)]
    public bool Nothing_is_lost_nothing_overpaid_and_a_later_step_gets_money_only_after_every_earlier_one_is_paid(
        int[] owedSeeds, int amountSeed, bool interestFirst)
    {
        var periods = (owedSeeds ?? []).Take(12).Select((seed, i) => new PeriodOwed(i + 1, Today.AddMonths(i - 3), new LoanComponents(
            (uint)seed % 50_000, (uint)seed / 7 % 9_000, (uint)seed / 11 % 500, (uint)seed / 13 % 300))).ToList();
        var owed = periods.Sum(p => p.Owed.Total);
        var amount = (long)((uint)amountSeed % (ulong)(owed + 1_000));
        var order = interestFirst ? AllocationOrder.InterestPrincipalPenaltyFee : AllocationOrder.PenaltyFeeInterestPrincipal;

        var allocation = Allocator.Allocate(periods, Today, amount, order);

        var paid = allocation.Periods.ToDictionary(p => p.Period, p => p.Paid);
        var buckets = order.Rules.GroupBy(r => r.Due)
            .SelectMany(g => periods.Where(p => Allocator.DueTypeOf(p.DueDate, Today) == g.Key).OrderBy(p => p.DueDate)
                .SelectMany(p => g.Select(r => (Owed: Part(p.Owed, r.Component), Paid: paid.TryGetValue(p.Period, out var x) ? Part(x, r.Component) : 0))))
            .ToList();
        var inOrder = buckets.Zip(buckets.Skip(1)).All(pair => pair.Second.Paid == 0 || pair.First.Paid == pair.First.Owed);
        return allocation.Total.Total + allocation.LeftOver == amount
            && buckets.All(b => b.Paid >= 0 && b.Paid <= b.Owed)
            && (allocation.LeftOver == 0 || allocation.Total.Total == owed)
            && inOrder;
    }

    private static long Part(LoanComponents c, OwedComponent component) => component switch
    {
        OwedComponent.Penalty => c.Penalty,
        OwedComponent.Fee => c.Fee,
        OwedComponent.Interest => c.Interest,
        _ => c.Principal,
    };
}
