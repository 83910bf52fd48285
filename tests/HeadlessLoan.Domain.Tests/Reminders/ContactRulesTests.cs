using HeadlessLoan.Domain.Reminders;

namespace HeadlessLoan.Domain.Tests.Reminders;

public sealed class ContactRulesTests
{
    private static readonly ContactRules Rules = ContactRules.Default;

    /// <summary>A China wall-clock time on 2026-06-15 (UTC+8).</summary>
    private static DateTimeOffset China(int hour, int minute = 0, int day = 15) => new DateTimeOffset(2026, 6, day, hour, minute, 0, TimeSpan.FromHours(8));

    [Theory]
    [InlineData(21, 59, false)]
    [InlineData(22, 0, true)]
    [InlineData(23, 30, true)]
    [InlineData(0, 0, true)]
    [InlineData(7, 59, true)]
    [InlineData(8, 0, false)]
    [InlineData(12, 0, false)]
    public void The_quiet_hours_run_from_22_to_8_china_time(int hour, int minute, bool quiet) =>
        Assert.Equal(quiet, Rules.IsQuiet(China(hour, minute)));

    [Fact]
    public void A_contact_in_the_quiet_hours_waits_for_8_the_same_or_the_next_morning()
    {
        Assert.Equal(China(8), Rules.NextAllowed(China(3)));
        Assert.Equal(China(8, day: 16), Rules.NextAllowed(China(22, 30)));
        Assert.Equal(China(9), Rules.NextAllowed(China(9)));
    }

    [Fact]
    public void Quiet_hours_inside_one_day_are_honoured_too()
    {
        var lunch = Rules with { QuietFrom = new TimeOnly(12, 0), QuietUntil = new TimeOnly(14, 0) };
        Assert.True(lunch.IsQuiet(China(13)));
        Assert.False(lunch.IsQuiet(China(23)));
        Assert.Equal(China(14), lunch.NextAllowed(China(12, 30)));
    }

    [Fact]
    public void Three_connected_calls_end_the_day_and_an_unknown_outcome_counts_as_connected()
    {
        PlacedCall[] calls = [new(China(9), true), new(China(10), false), new(China(11), true), new(China(12), null)];
        Assert.Equal(China(8, day: 16), Rules.NextCallAllowed(China(15), calls));
        Assert.Equal(China(15), Rules.NextCallAllowed(China(15), calls[..3]));
    }

    [Fact]
    public void Yesterdays_calls_do_not_count_today() =>
        Assert.Equal(China(9, day: 16), Rules.NextCallAllowed(China(9, day: 16), [new(China(9), true), new(China(10), true), new(China(11), true)]));

    [Fact]
    public void The_provider_allows_one_call_a_minute_and_five_an_hour_per_number()
    {
        Assert.Equal(China(10, 1), Rules.NextCallAllowed(China(10, 0).AddSeconds(20), [new(China(10), false)]));
        PlacedCall[] five = [.. Enumerable.Range(0, 5).Select(i => new PlacedCall(China(10, i * 5), false))];
        Assert.Equal(China(11), Rules.NextCallAllowed(China(10, 30), five));
    }

    [Fact]
    public void A_limit_that_pushes_into_the_quiet_hours_waits_for_the_morning()
    {
        PlacedCall[] five = [.. Enumerable.Range(0, 5).Select(i => new PlacedCall(China(21, i * 5), false))];
        Assert.Equal(China(8, day: 16), Rules.NextCallAllowed(China(21, 30), five));
    }
}
