using Dapper;
using HeadlessLoan.Api.Features.Ledger;
using HeadlessLoan.Api.Features.Loans;
using HeadlessLoan.Api.Integrations.WeChatPay;
using HeadlessLoan.Api.Platform;
using HeadlessLoan.Api.Platform.Audit;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Domain.Ledger;
using HeadlessLoan.Domain.Loans;
using Microsoft.Extensions.Options;
using MySqlConnector;

namespace HeadlessLoan.Api.Features.Repayments;

public sealed record RefundRow(
    Guid Id, string OutRefundNo, Guid LoanId, string OutTradeNo, long Amount, string Reason, string Status, string? RefundId, Guid RequestedBy,
    Guid? ApprovedBy, DateTime? ApprovedOn, DateTime CreatedAt, DateTime UpdatedAt, DateTime? CompletedAt)
{
    public RefundStatus State => RefundStatusNames.Parse(Status);
}

public enum RefundOutcome
{
    Done, LoanNotFound, NotFound, NoPaymentOrder, OrderTooOld, TooManyRefunds, AboveRefundable, AboveCredit, SamePerson, NotPending,
}

/// <summary>
/// Refunds of a borrower's credit (what they paid beyond what they owed) back through WeChat Pay, against one of the
/// loan's paid orders. One supervisor asks, a second approves; approval sets the credit aside in the ledger (refunds
/// payable) and the refund is sent under its out_refund_no, so sending it again refunds once. WeChat Pay's word about
/// it — the answer, a REFUND.* notification or a query — goes through <see cref="SettleAsync"/>: SUCCESS pays it out,
/// CLOSED gives the credit back, ABNORMAL waits for a person.
/// </summary>
public sealed partial class Refunds(
    MySqlDataSource db, AuditTrail audit, LedgerStore ledger, IOptions<RepaymentsOptions> options, TimeProvider clock, ILogger<Refunds> logger,
    WeChatPayClient? wechatPay = null, IOptionsMonitor<WeChatPayOptions>? wechatPayOptions = null)
{
    /// <summary>WeChat Pay refunds an order up to a year after its payment.</summary>
    public static readonly TimeSpan RefundWindow = TimeSpan.FromDays(365);

    /// <summary>WeChat Pay takes at most 50 partial refunds of one order.</summary>
    public const int MaxRefundsPerOrder = 50;

    private static readonly AuditActor WeChatPay = new(AuditActor.SystemKind, "wechatpay");

    public async Task<(RefundOutcome Outcome, RefundRow? Row)> AskAsync(Guid loanId, long amount, string reason, Guid? orderId, Guid staffId, CancellationToken ct)
    {
        var now = DbTime.Now(clock);
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        if (!await LoanPayments.LockAsync(change, loanId, ct))
        {
            return (RefundOutcome.LoanNotFound, null);
        }

        if ((await LedgerStore.BalancesAsync(change, loanId, locked: false, ct)).Credit < amount)
        {
            return (RefundOutcome.AboveCredit, null);
        }

        // The order asked for, or the newest paid one that can still take the whole refund.
        var candidates = (await change.QueryAsync<(string OutTradeNo, long Paid, DateTime? SuccessTime, long Refunded, long Refunds)>($"""
            SELECT o.out_trade_no, o.amount, o.success_time,
                   CAST(COALESCE(SUM(IF(r.status IN {Counted}, r.amount, 0)), 0) AS SIGNED), CAST(COUNT(IF(r.status IN {Counted}, 1, NULL)) AS SIGNED)
              FROM payment_orders o LEFT JOIN refunds r ON r.out_trade_no = o.out_trade_no
             WHERE o.loan_id = @loanId AND o.status = @paid {(orderId is null ? "" : "AND o.out_trade_no = @no")}
             GROUP BY o.out_trade_no, o.amount, o.success_time ORDER BY o.success_time DESC
            """, new { loanId, paid = PaymentOrderStatusNames.Paid, no = orderId?.ToString("N") }, ct)).ToList();
        if (candidates.Count == 0)
        {
            return (RefundOutcome.NoPaymentOrder, null);
        }

        var fresh = candidates.Where(c => c.SuccessTime is { } paidAt && now - paidAt < RefundWindow).ToList();
        var open = fresh.Where(c => c.Refunds < MaxRefundsPerOrder).ToList();
        var order = open.FirstOrDefault(c => c.Paid - c.Refunded >= amount);
        if (order.OutTradeNo is null)
        {
            return (fresh.Count == 0 ? RefundOutcome.OrderTooOld : open.Count == 0 ? RefundOutcome.TooManyRefunds : RefundOutcome.AboveRefundable, null);
        }

        var id = Guid.CreateVersion7();
        var row = new RefundRow(id, id.ToString("N"), loanId, order.OutTradeNo, amount, reason, RefundStatus.AwaitingApproval.ToWire(), null, staffId, null, null,
            now, now, null);
        change.Write("""
            INSERT INTO refunds (id, out_refund_no, loan_id, out_trade_no, amount, reason, status, requested_by, created_at, updated_at)
            VALUES (@Id, @OutRefundNo, @LoanId, @OutTradeNo, @Amount, @Reason, @Status, @RequestedBy, @CreatedAt, @UpdatedAt)
            """, row);
        change.Record(new AuditEntry(AuditActor.Staff(staffId), "loan.refund_requested", "loan", loanId.ToString(), null, row), now);
        await change.CommitAsync(ct);
        return (RefundOutcome.Done, row);
    }

    /// <summary>Approves (the credit set aside, the refund to be sent) or rejects a refund waiting for approval.</summary>
    public async Task<(RefundOutcome Outcome, RefundRow? Row)> DecideAsync(Guid loanId, Guid id, bool approve, Guid staffId, CancellationToken ct)
    {
        var now = DbTime.Now(clock);
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        if (!await LoanPayments.LockAsync(change, loanId, ct))
        {
            return (RefundOutcome.LoanNotFound, null);
        }

        if (await change.QuerySingleOrDefaultAsync<RefundRow>(Select + " WHERE id = @id AND loan_id = @loanId FOR UPDATE", new { id, loanId }, ct) is not { } row)
        {
            return (RefundOutcome.NotFound, null);
        }

        var transition = RefundLifecycle.Next(row.State, approve ? RefundEvent.Approve : RefundEvent.Reject);
        if (!transition.Allowed)
        {
            return (RefundOutcome.NotPending, null);
        }

        if (approve && row.RequestedBy == staffId)
        {
            return (RefundOutcome.SamePerson, null);
        }

        var today = ChinaTime.Today(clock);
        if (approve && await ledger.PostAsync(change, SetAside(row, today), ct) == PostingOutcome.Overdrawn)
        {
            return (RefundOutcome.AboveCredit, null);
        }

        var decided = row with
        {
            Status = transition.Next.ToWire(), ApprovedBy = approve ? staffId : null, ApprovedOn = approve ? today.ToDateTime(TimeOnly.MinValue) : null,
            UpdatedAt = now, CompletedAt = approve ? null : now,
        };
        change.Write("""
            UPDATE refunds SET status = @Status, approved_by = @ApprovedBy, approved_on = @ApprovedOn, updated_at = @UpdatedAt, completed_at = @CompletedAt,
                   query_at = IF(@Status = 'approved', @UpdatedAt, NULL)
             WHERE id = @Id
            """, decided);
        change.Record(new AuditEntry(AuditActor.Staff(staffId), approve ? "loan.refund_approved" : "loan.refund_rejected", "loan", loanId.ToString(),
            new { status = row.Status }, decided), now);
        await change.CommitAsync(ct);
        return (RefundOutcome.Done, decided);
    }

    /// <summary>
    /// Sends an approved refund to WeChat Pay (again, under the same out_refund_no, if it was sent before) and settles
    /// its answer; the refund as it then stands. WeChat Pay's unavailability leaves it approved, to be sent again.
    /// </summary>
    public async Task<RefundRow> SendAsync(RefundRow refund, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(refund);
        if (wechatPay is null)
        {
            return refund;
        }

        var total = await OrderTotalAsync(refund.OutTradeNo, ct);
        var answer = await wechatPay.RefundAsync(new CreateRefundDomesticRefundRequest
        {
            OutTradeNumber = refund.OutTradeNo, OutRefundNumber = refund.OutRefundNo, RefundFen = refund.Amount, TotalFen = total,
            Reason = refund.Reason, NotifyUrl = wechatPayOptions?.CurrentValue.NotifyUrl,
        }, ct);
        if (answer.Value is { } accepted)
        {
            await SettleAsync(refund.OutRefundNo, accepted.Status, accepted.RefundId, ct);
        }
        else
        {
            LogRefused(logger, refund.OutRefundNo, answer.Error?.Code, answer.Error?.Message);
        }

        return await GetAsync(refund.LoanId, refund.Id, ct) ?? refund;
    }

    /// <summary>Asks WeChat Pay how a sent refund stands and settles it; one WeChat Pay does not know yet is sent (again).</summary>
    public async Task QueryAsync(RefundRow refund, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(refund);
        if (wechatPay is null)
        {
            return;
        }

        var answer = await wechatPay.QueryRefundAsync(refund.OutRefundNo, ct);
        if (answer.Value is { } found)
        {
            await SettleAsync(refund.OutRefundNo, found.Status, found.RefundId, ct);
        }
        else if (answer.Error?.Code is WeChatPayErrorCodes.ResourceNotExists or WeChatPayErrorCodes.OrderNotExist)
        {
            await SendAsync(refund, ct);
        }
    }

    /// <summary>A REFUND.* notification: settled when it is about one of our refunds at our merchant.</summary>
    public Task<bool> SettleAsync(RefundResource notified, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(notified);
        if (notified.OutRefundNumber is not { } outRefundNo || notified.MchId != wechatPayOptions?.CurrentValue.MchId)
        {
            LogNotOurs(logger, notified.OutRefundNumber, notified.MchId);
            return Task.FromResult(false);
        }

        return SettleAsync(outRefundNo, notified.RefundStatus, notified.RefundId, ct);
    }

    /// <summary>
    /// Applies WeChat Pay's word about a refund once, whichever of the answer, the notification and the query brings it:
    /// the loan's row is locked, then the refund's, and the refund's lifecycle decides.
    /// </summary>
    public Task<bool> SettleAsync(string outRefundNo, string? status, string? refundId, CancellationToken ct) =>
        DatabaseFaults.RetryConflictsAsync(() => SettleOnceAsync(outRefundNo, status, refundId, ct), logger, "A refund's settlement");

    private async Task<bool> SettleOnceAsync(string outRefundNo, string? status, string? refundId, CancellationToken ct)
    {
        RefundEvent? happened = status switch
        {
            RefundStatuses.Success => RefundEvent.Succeed,
            RefundStatuses.Closed => RefundEvent.Close,
            RefundStatuses.Abnormal => RefundEvent.FindAbnormal,
            RefundStatuses.Processing => RefundEvent.Accept,
            _ => null,
        };
        var now = DbTime.Now(clock);
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        var loanId = await change.ScalarAsync<Guid?>("SELECT loan_id FROM refunds WHERE out_refund_no = @outRefundNo", new { outRefundNo }, ct);
        if (happened is null || loanId is null)
        {
            return false;
        }

        await LoanPayments.LockAsync(change, loanId.Value, ct);
        var refund = await change.QuerySingleOrDefaultAsync<RefundRow>(Select + " WHERE out_refund_no = @outRefundNo FOR UPDATE", new { outRefundNo }, ct)
            ?? throw new InvalidOperationException($"Refund {outRefundNo} vanished.");
        var transition = RefundLifecycle.Next(refund.State, happened.Value);
        if (!transition.Allowed || transition.Next == refund.State)
        {
            return false;
        }

        var today = ChinaTime.Today(clock);
        var setAside = SetAside(refund, DateOnly.FromDateTime(refund.ApprovedOn!.Value));
        var posted = transition.Next switch
        {
            RefundStatus.Succeeded => await ledger.PostAsync(change,
                Postings.RefundPaid(EntryIds.For(EntryKinds.RefundPaid, refund.OutRefundNo), refund.LoanId, today, PaymentRail.WeChatPay, refund.Amount), ct),
            RefundStatus.Closed => await ledger.PostAsync(change, setAside.Reversal(EntryIds.For(EntryKinds.Reversal, "refund:" + refund.OutRefundNo), today), ct),
            _ => PostingOutcome.Written,
        };
        if (posted is not (PostingOutcome.Written or PostingOutcome.AlreadyWritten))
        {
            throw new InvalidOperationException($"Refund {outRefundNo} could not be posted: {posted}.");
        }

        var ended = transition.Next is RefundStatus.Succeeded or RefundStatus.Closed;
        change.Write("""
            UPDATE refunds SET status = @status, refund_id = COALESCE(@refundId, refund_id), updated_at = @now,
                   completed_at = IF(@ended, @now, NULL), query_at = IF(@ended, NULL, @queryAt), lease_owner = NULL
             WHERE out_refund_no = @outRefundNo
            """, new { outRefundNo, status = transition.Next.ToWire(), refundId, now, ended, queryAt = now.AddSeconds(options.Value.QueryAfterSeconds) });
        change.Record(new AuditEntry(WeChatPay, "loan.refund_" + transition.Next.ToWire(), "loan", refund.LoanId.ToString(),
            new { status = refund.Status }, new { status = transition.Next.ToWire(), outRefundNo, refundId, amount = refund.Amount }), now);
        await change.CommitAsync(ct);
        return true;
    }

    /// <summary>Leases refunds to send or to ask about whose time has come (one UPDATE decides who works on what).</summary>
    public async Task<IReadOnlyList<RefundRow>> LeaseAsync(Guid owner, int batch, DateTime now, DateTime leaseUntil, CancellationToken ct)
    {
        var with = RefundStatusNames.All.Where(s => RefundLifecycle.IsWithWeChatPay(RefundStatusNames.Parse(s))).ToList();
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE refunds SET lease_owner = @owner, query_at = @leaseUntil WHERE status IN @with AND query_at <= @now ORDER BY query_at LIMIT @batch
            """, new { owner, leaseUntil, now, batch, with }, cancellationToken: ct));
        return (await conn.QueryAsync<RefundRow>(new CommandDefinition(
            Select + " WHERE lease_owner = @owner AND query_at = @leaseUntil AND status IN @with", new { owner, leaseUntil, with }, cancellationToken: ct))).AsList();
    }

    public async Task<RefundRow?> GetAsync(Guid loanId, Guid id, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<RefundRow>(new CommandDefinition(Select + " WHERE id = @id AND loan_id = @loanId", new { id, loanId }, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<RefundRow>> ListAsync(Guid loanId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<RefundRow>(new CommandDefinition(Select + " WHERE loan_id = @loanId ORDER BY created_at, id", new { loanId }, cancellationToken: ct))).AsList();
    }

    private async Task<long> OrderTotalAsync(string outTradeNo, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<long>(new CommandDefinition("SELECT amount FROM payment_orders WHERE out_trade_no = @outTradeNo", new { outTradeNo }, cancellationToken: ct));
    }

    /// <summary>The credit set aside for the refund when it is approved (undone if WeChat Pay closes it).</summary>
    private static JournalEntry SetAside(RefundRow refund, DateOnly on) =>
        Postings.Refund(EntryIds.For(EntryKinds.Refund, refund.OutRefundNo), refund.LoanId, on, refund.Amount);

    /// <summary>Refunds that count against an order's refundable amount and its 50: all but the rejected and the closed.</summary>
    private const string Counted = "('awaiting_approval', 'approved', 'processing', 'succeeded', 'abnormal')";

    private const string Select = """
        SELECT id, out_refund_no, loan_id, out_trade_no, amount, reason, status, refund_id, requested_by, approved_by, approved_on,
               created_at, updated_at, completed_at
          FROM refunds
        """;

    [LoggerMessage(Level = LogLevel.Warning, Message = "A refund notification not about a refund of ours: {OutRefundNo} at merchant {MchId}")]
    private static partial void LogNotOurs(ILogger logger, string? outRefundNo, string? mchId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refund {OutRefundNo}: WeChat Pay refused ({Code}: {Message})")]
    private static partial void LogRefused(ILogger logger, string outRefundNo, string? code, string? message);
}
