using HeadlessLoan.Domain.Loans;

using HeadlessLoan.Domain.Tests.Lifecycles;

namespace HeadlessLoan.Domain.Tests.Loans;

public sealed class PaymentOrderLifecycleTests
{
    /// <summary>The columns of <see cref="Table"/>, in this order.</summary>
    private static readonly PaymentOrderStatus[] Columns =
    [
        PaymentOrderStatus.Created, PaymentOrderStatus.Paid, PaymentOrderStatus.Closed, PaymentOrderStatus.Failed, PaymentOrderStatus.Parked,
    ];

    private const string NotOpen = "!payment_order_not_open";
    private const string NotParked = "!payment_order_not_parked";

    /// <summary>The whole lifecycle: for each event, the next status in each status of <see cref="Columns"/>, or <c>!</c> and the refusal.</summary>
    private static readonly Dictionary<PaymentOrderEvent, string[]> Rows = new()
    {
        //                            created     paid        closed      failed      parked
        [PaymentOrderEvent.Pay] =     ["paid",    NotOpen,    NotOpen,    NotOpen,    NotOpen],
        [PaymentOrderEvent.Close] =   ["closed",  NotOpen,    NotOpen,    NotOpen,    "closed"],
        [PaymentOrderEvent.Fail] =    ["failed",  NotOpen,    NotOpen,    NotOpen,    NotOpen],
        [PaymentOrderEvent.Park] =    ["parked",  NotOpen,    "parked",   "parked",   NotOpen],
        [PaymentOrderEvent.Release] = [NotParked, NotParked,  NotParked,  NotParked,  "paid"],
    };

    private static readonly LifecycleTable<PaymentOrderStatus, PaymentOrderEvent> Table = new(Columns, Rows);

    public static TheoryData<PaymentOrderStatus, PaymentOrderEvent> EveryPair() => Table.EveryPair();

    [Theory]
    [MemberData(nameof(EveryPair))]
    public void EveryStatusAndEventPairHasTheDecisionOfTheTable(PaymentOrderStatus status, PaymentOrderEvent happened)
    {
        var transition = PaymentOrderLifecycle.Next(status, happened);

        Assert.Equal(transition.Refusal is null, transition.Allowed);
        Assert.Equal(transition.Allowed, PaymentOrderLifecycle.Allows(status, happened));
        Table.AssertCell(status, happened, transition.Next, transition.Refusal, s => s.ToWire());
    }

    [Fact]
    public void TheTableHasExactlyOneCellPerPair() => Table.AssertOneCellPerPair();

    [Fact]
    public void WireNamesAreTheStoredOnesAndParseBack()
    {
        Assert.Equal(["created", "paid", "closed", "failed", "parked"], PaymentOrderStatusNames.All);
        foreach (var status in Enum.GetValues<PaymentOrderStatus>())
        {
            Assert.True(PaymentOrderStatusNames.TryParse(status.ToWire(), out var parsed));
            Assert.Equal(status, parsed);
            Assert.Equal(status, PaymentOrderStatusNames.Parse(status.ToWire()));
        }

        Assert.False(PaymentOrderStatusNames.TryParse("Paid", out _));
        Assert.False(PaymentOrderStatusNames.TryParse(null, out _));
        Assert.Throws<FormatException>(() => PaymentOrderStatusNames.Parse("refunded"));
    }

    [Fact]
    public void MoneyIsAppliedOnlyOnTheWayIntoPaidAndARepeatedNotificationIsRefused()
    {
        Assert.Equal([PaymentOrderStatus.Created], PaymentOrderLifecycle.From(PaymentOrderEvent.Pay));
        Assert.Equal([PaymentOrderStatus.Parked], PaymentOrderLifecycle.From(PaymentOrderEvent.Release));
        Assert.Equal(PaymentOrderRefusals.NotOpen, PaymentOrderLifecycle.Next(PaymentOrderStatus.Paid, PaymentOrderEvent.Pay).Refusal);
    }

    [Fact]
    public void ALateSuccessOnAClosedOrFailedOrderIsKeptForAPersonAndAParkedOrderIsReleasedOrClosed()
    {
        Assert.Equal([PaymentOrderStatus.Created, PaymentOrderStatus.Closed, PaymentOrderStatus.Failed], PaymentOrderLifecycle.From(PaymentOrderEvent.Park));
        Assert.Equal([PaymentOrderStatus.Created, PaymentOrderStatus.Parked], PaymentOrderLifecycle.From(PaymentOrderEvent.Close));
        Assert.Equal([PaymentOrderStatus.Created], Enum.GetValues<PaymentOrderStatus>().Where(PaymentOrderLifecycle.IsOpen));
        Assert.Equal([PaymentOrderStatus.Parked], Enum.GetValues<PaymentOrderStatus>().Where(PaymentOrderLifecycle.AwaitsReview));
    }

    [Fact]
    public void UnknownValuesAreFaults()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PaymentOrderLifecycle.Next((PaymentOrderStatus)99, PaymentOrderEvent.Pay));
        Assert.Throws<ArgumentOutOfRangeException>(() => PaymentOrderLifecycle.Next(PaymentOrderStatus.Created, (PaymentOrderEvent)99));
        Assert.Throws<ArgumentOutOfRangeException>(() => ((PaymentOrderStatus)99).ToWire());
        Assert.Throws<ArgumentOutOfRangeException>(() => PaymentOrderLifecycle.IsOpen((PaymentOrderStatus)99));
    }
}
