using HeadlessLoan.Domain.Loans;

using HeadlessLoan.Domain.Tests.Lifecycles;

namespace HeadlessLoan.Domain.Tests.Loans;

public sealed class LoanLifecycleTests
{
    /// <summary>The columns of <see cref="Table"/>, in this order.</summary>
    private static readonly LoanStatus[] Columns =
    [
        LoanStatus.PendingDisbursement, LoanStatus.DisbursementFailed, LoanStatus.Active, LoanStatus.Overdue,
        LoanStatus.PaidOff, LoanStatus.WrittenOff, LoanStatus.Cancelled,
    ];

    private const string NotPending = "!loan_not_pending_disbursement";
    private const string NotFailed = "!loan_not_disbursement_failed";
    private const string NotOpen = "!loan_not_open";
    private const string NotOverdue = "!loan_not_overdue";
    private const string NotRefundable = "!loan_not_refundable";
    private const string NotWrittenOff = "!loan_not_written_off";

    /// <summary>The whole lifecycle: for each event, the next status in each status of <see cref="Columns"/>, or <c>!</c> and the refusal.</summary>
    private static readonly Dictionary<LoanEvent, string[]> Rows = new()
    {
        //                                pending_disbursement    disbursement_failed     active         overdue        paid_off       written_off    cancelled
        [LoanEvent.ConfirmDisbursement] = ["active",              NotPending,             NotPending,    NotPending,    NotPending,    NotPending,    NotPending],
        [LoanEvent.FailDisbursement] =    ["disbursement_failed", NotPending,             NotPending,    NotPending,    NotPending,    NotPending,    NotPending],
        [LoanEvent.RetryDisbursement] =   [NotFailed,             "pending_disbursement", NotFailed,     NotFailed,     NotFailed,     NotFailed,     NotFailed],
        [LoanEvent.Cancel] =              ["cancelled",           "cancelled",            NotPending,    NotPending,    NotPending,    NotPending,    NotPending],
        [LoanEvent.Repay] =               [NotOpen,               NotOpen,                "active",      "overdue",     NotOpen,       NotOpen,       NotOpen],
        [LoanEvent.CatchUp] =             [NotOverdue,            NotOverdue,             NotOverdue,    "active",      NotOverdue,    NotOverdue,    NotOverdue],
        [LoanEvent.PayOff] =              [NotOpen,               NotOpen,                "paid_off",    "paid_off",    NotOpen,       NotOpen,       NotOpen],
        [LoanEvent.MarkOverdue] =         [NotOpen,               NotOpen,                "overdue",     "overdue",     NotOpen,       NotOpen,       NotOpen],
        [LoanEvent.WriteOff] =            [NotOverdue,            NotOverdue,             NotOverdue,    "written_off", NotOverdue,    NotOverdue,    NotOverdue],
        [LoanEvent.Recover] =             [NotWrittenOff,         NotWrittenOff,          NotWrittenOff, NotWrittenOff, NotWrittenOff, "written_off", NotWrittenOff],
        [LoanEvent.Refund] =              [NotRefundable,         NotRefundable,          "active",      "overdue",     "paid_off",    "written_off", NotRefundable],
    };

    private static readonly LifecycleTable<LoanStatus, LoanEvent> Table = new(Columns, Rows);

    public static TheoryData<LoanStatus, LoanEvent> EveryPair() => Table.EveryPair();

    [Theory]
    [MemberData(nameof(EveryPair))]
    public void EveryStatusAndEventPairHasTheDecisionOfTheTable(LoanStatus status, LoanEvent happened)
    {
        var transition = LoanLifecycle.Next(status, happened);

        Assert.Equal(transition.Refusal is null, transition.Allowed);
        Table.AssertCell(status, happened, transition.Next, transition.Refusal, s => s.ToWire());
    }

    [Fact]
    public void TheTableHasExactlyOneCellPerPair() => Table.AssertOneCellPerPair();

    [Fact]
    public void WireNamesAreTheStoredOnesAndParseBack()
    {
        Assert.Equal(["pending_disbursement", "disbursement_failed", "active", "overdue", "paid_off", "written_off", "cancelled"], LoanStatusNames.All);
        foreach (var status in Enum.GetValues<LoanStatus>())
        {
            Assert.True(LoanStatusNames.TryParse(status.ToWire(), out var parsed));
            Assert.Equal(status, parsed);
        }

        Assert.False(LoanStatusNames.TryParse("Active", out _));
        Assert.Throws<FormatException>(() => LoanStatusNames.Parse("open"));
    }

    [Fact]
    public void OpenAndClosedStatusesAreThoseMoneyCanAndCannotMoveOn()
    {
        Assert.Equal([LoanStatus.Active, LoanStatus.Overdue], Enum.GetValues<LoanStatus>().Where(LoanLifecycle.IsOpen));
        Assert.Equal([LoanStatus.Active, LoanStatus.Overdue], LoanLifecycle.OpenStatuses);
        Assert.Equal([LoanStatus.PaidOff, LoanStatus.WrittenOff, LoanStatus.Cancelled], Enum.GetValues<LoanStatus>().Where(LoanLifecycle.IsClosed));
        Assert.Equal([LoanStatus.PendingDisbursement, LoanStatus.DisbursementFailed], LoanLifecycle.From(LoanEvent.Cancel));
    }

    [Fact]
    public void UnknownValuesAreFaults()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LoanLifecycle.Next((LoanStatus)99, LoanEvent.Repay));
        Assert.Throws<ArgumentOutOfRangeException>(() => LoanLifecycle.Next(LoanStatus.Active, (LoanEvent)99));
        Assert.Throws<ArgumentOutOfRangeException>(() => ((LoanStatus)99).ToWire());
    }
}
