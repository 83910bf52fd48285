using HeadlessLoan.Domain.Collections;

namespace HeadlessLoan.Domain.Tests.Collections;

public sealed class WorkOrderRulesTests
{
    private static readonly DateTime Now = new(2026, 6, 15, 1, 0, 0, DateTimeKind.Utc);
    private static readonly Guid A = Guid.Parse("00000000-0000-0000-0000-00000000000a");
    private static readonly Guid B = Guid.Parse("00000000-0000-0000-0000-00000000000b");
    private static readonly Guid C = Guid.Parse("00000000-0000-0000-0000-00000000000c");

    private static UnassignedOrder Order(int n, string region = "110101", int priority = 0) => new(Guid.Parse($"10000000-0000-0000-0000-{n:000000000000}"), region, priority);

    [Theory]
    [InlineData(7, 0, 70)]
    [InlineData(7, 500_000, 120)]
    [InlineData(30, 100_000_000, 1_300)]
    [InlineData(-1, -5, 0)]
    public void Priority_grows_with_days_past_due_and_with_the_amount_within_a_cap(int dpd, long fen, int priority) =>
        Assert.Equal(priority, WorkOrderRules.Priority(dpd, fen));

    [Fact]
    public void A_broken_promise_re_escalates_the_order() => Assert.Equal(WorkOrderRules.Priority(7, 0) + 1_000, WorkOrderRules.Priority(7, 0, brokenPromises: 2));

    [Fact]
    public void Round_robin_takes_turns_starting_with_who_waited_longest()
    {
        CollectorSlot[] collectors = [new(A, [], 5, Now.AddHours(-1)), new(B, [], 0, Now.AddHours(-2))];
        var assigned = WorkOrderRules.Assign([Order(1, priority: 3), Order(2, priority: 2), Order(3, priority: 1)], collectors, AssignmentRule.RoundRobin, Now);
        Assert.Equal([B, A, B], assigned.Select(a => a.CollectorId));
    }

    [Fact]
    public void Least_loaded_fills_the_emptiest_first()
    {
        CollectorSlot[] collectors = [new(A, [], 2, null), new(B, [], 0, null)];
        var assigned = WorkOrderRules.Assign([Order(1), Order(2), Order(3)], collectors, AssignmentRule.LeastLoaded, Now);
        Assert.Equal([B, B, A], assigned.Select(a => a.CollectorId));
    }

    [Fact]
    public void An_order_goes_only_to_a_collector_of_its_region_and_waits_when_there_is_none()
    {
        CollectorSlot[] collectors = [new(A, ["31"], 0, null), new(C, ["1101"], 9, null)];
        var assigned = WorkOrderRules.Assign([Order(1, "110105"), Order(2, "310101"), Order(3, "440101")], collectors, AssignmentRule.LeastLoaded, Now);
        Assert.Equal([(Order(1).Id, C), (Order(2).Id, A)], assigned);
    }

    [Theory]
    [InlineData(100, 100, true)]
    [InlineData(99, 100, false)]
    public void A_promise_is_kept_by_paying_what_was_promised(long paid, long promised, bool kept) => Assert.Equal(kept, WorkOrderRules.Kept(paid, promised));
}
