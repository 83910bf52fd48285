using HeadlessLoan.Domain.Reminders;

namespace HeadlessLoan.Domain.Tests.Reminders;

public sealed class ReminderPolicyTests
{
    private static readonly ReminderPolicy Default = ReminderPolicy.Default;

    [Theory]
    [InlineData(-4, null)]
    [InlineData(-3, "d-3")]
    [InlineData(-2, "d-3")]
    [InlineData(-1, "d-1")]
    [InlineData(0, "d-1")]
    [InlineData(1, "d+1")]
    [InlineData(2, "d+1")]
    [InlineData(3, "d+3")]
    [InlineData(4, "d+3")]
    [InlineData(5, null)]
    public void Each_day_has_at_most_one_tier_and_a_missed_day_is_caught_up_until_the_next_tier(int day, string? tier) =>
        Assert.Equal(tier, Default.TierOn(day)?.Code);

    [Fact]
    public void A_before_due_tier_never_reaches_into_the_overdue_days()
    {
        var policy = new ReminderPolicy([new ReminderTier(-1, [ReminderChannel.Sms], "before_due"), new ReminderTier(5, [ReminderChannel.Sms], "overdue")], lateDays: 10);
        Assert.Equal("d-1", policy.TierOn(0)?.Code);
        Assert.Null(policy.TierOn(1));
        Assert.Equal("d+5", policy.TierOn(14)?.Code);
        Assert.Null(policy.TierOn(15));
    }

    [Fact]
    public void Tiers_are_kept_in_day_order_whatever_order_they_came_in()
    {
        var policy = new ReminderPolicy([new ReminderTier(3, [ReminderChannel.Voice], "a"), new ReminderTier(-3, [ReminderChannel.Sms], "b")], 2);
        Assert.Equal(["d-3", "d+3"], policy.Tiers.Select(t => t.Code));
    }

    [Theory]
    [InlineData(0, "sms", "a", 2, "day")]
    [InlineData(400, "sms", "a", 2, "day")]
    [InlineData(1, "", "a", 2, "channels")]
    [InlineData(1, "sms,sms", "a", 2, "channels")]
    [InlineData(1, "sms", "Bad-Key", 2, "template key")]
    [InlineData(1, "sms", "a", 0, "lateDays")]
    public void An_unsound_ladder_is_refused_in_words(int day, string channels, string key, int lateDays, string says)
    {
        var tier = new ReminderTier(day, channels.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(c => ReminderChannelNames.Parse(c)!.Value).ToArray(), key);
        Assert.Contains(says, ReminderPolicy.Invalid([tier], lateDays));
    }

    [Fact]
    public void Two_tiers_on_one_day_are_refused() =>
        Assert.Contains("same day", ReminderPolicy.Invalid([new ReminderTier(1, [ReminderChannel.Sms], "a"), new ReminderTier(1, [ReminderChannel.Voice], "b")], 2));

    [Theory]
    [InlineData(-1, "workOrderOnDay")]
    [InlineData(367, "workOrderOnDay")]
    [InlineData(0, null)]
    [InlineData(30, null)]
    public void The_work_order_day_is_a_day_overdue_or_none(int workOrderOnDay, string? says)
    {
        var problem = ReminderPolicy.Invalid([new ReminderTier(1, [ReminderChannel.Sms], "a")], 2, workOrderOnDay);
        if (says is null)
        {
            Assert.Null(problem);
            Assert.Equal(workOrderOnDay, new ReminderPolicy([new ReminderTier(1, [ReminderChannel.Sms], "a")], 2, workOrderOnDay).WorkOrderOnDay);
        }
        else
        {
            Assert.Contains(says, problem);
        }
    }

    [Fact]
    public void The_default_ladder_opens_a_work_order_on_the_seventh_day() => Assert.Equal(7, ReminderPolicy.Default.WorkOrderOnDay);
}
