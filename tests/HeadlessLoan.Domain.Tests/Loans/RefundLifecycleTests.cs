using HeadlessLoan.Domain.Loans;

namespace HeadlessLoan.Domain.Tests.Loans;

public sealed class RefundLifecycleTests
{
    private static readonly RefundStatus[] Statuses =
    [
        RefundStatus.AwaitingApproval, RefundStatus.Approved, RefundStatus.Processing, RefundStatus.Succeeded, RefundStatus.Closed,
        RefundStatus.Abnormal, RefundStatus.Rejected,
    ];

    private const string NotPending = "!refund_not_pending";
    private const string NotSent = "!refund_not_sent";

    // Columns in the order of Statuses; a "!" marks a refusal with that code.
    private static readonly Dictionary<RefundEvent, string[]> Expected = new()
    {
        [RefundEvent.Approve] =      ["approved", NotPending,   NotPending,   NotPending,  NotPending, NotPending, NotPending],
        [RefundEvent.Reject] =       ["rejected", NotPending,   NotPending,   NotPending,  NotPending, NotPending, NotPending],
        [RefundEvent.Accept] =       [NotSent,    "processing", "processing", NotSent,     NotSent,    NotSent,    NotSent],
        [RefundEvent.Succeed] =      [NotSent,    "succeeded",  "succeeded",  NotSent,     NotSent,    "succeeded", NotSent],
        [RefundEvent.Close] =        [NotSent,    "closed",     "closed",     NotSent,     NotSent,    "closed",   NotSent],
        [RefundEvent.FindAbnormal] = [NotSent,    "abnormal",   "abnormal",   NotSent,     NotSent,    "abnormal", NotSent],
    };

    public static TheoryData<RefundStatus, RefundEvent> EveryPair()
    {
        var data = new TheoryData<RefundStatus, RefundEvent>();
        foreach (var status in Statuses)
        {
            foreach (var happened in Enum.GetValues<RefundEvent>())
            {
                data.Add(status, happened);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryPair))]
    public void EveryStatusAndEventPairIsDecided(RefundStatus status, RefundEvent happened)
    {
        var expected = Expected[happened][Array.IndexOf(Statuses, status)];

        var transition = RefundLifecycle.Next(status, happened);

        if (expected.StartsWith('!'))
        {
            Assert.Equal((status, expected[1..]), (transition.Next, transition.Refusal));
        }
        else
        {
            Assert.True(transition.Allowed);
            Assert.Equal(expected, transition.Next.ToWire());
        }
    }

    [Fact]
    public void EveryStatusAndEventIsInTheTableAndEveryNameRoundTrips()
    {
        Assert.Equal(Enum.GetValues<RefundStatus>().Order(), Statuses.Order());
        Assert.Equal(Enum.GetValues<RefundEvent>().Order(), Expected.Keys.Order());
        Assert.All(Statuses, s => Assert.Equal(s, RefundStatusNames.Parse(s.ToWire())));
        Assert.Throws<FormatException>(() => RefundStatusNames.Parse("pending"));
        Assert.Equal([RefundStatus.Approved, RefundStatus.Processing, RefundStatus.Abnormal], Statuses.Where(RefundLifecycle.IsWithWeChatPay));
    }
}
