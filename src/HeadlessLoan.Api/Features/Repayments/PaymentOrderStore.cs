using Dapper;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Platform.Paging;
using HeadlessLoan.Domain.Loans;
using MySqlConnector;

namespace HeadlessLoan.Api.Features.Repayments;

/// <summary>A payment order as stored.</summary>
public sealed record PaymentOrderRow(
    string OutTradeNo, Guid LoanId, Guid BorrowerId, string Kind, long Amount, string PayerOpenid, string Status, string PrepayId,
    string? TransactionId, long? PaidAmount, DateTime? SuccessTime, string? ParkReason, DateTime ExpiresAt, DateTime CreatedAt, DateTime UpdatedAt)
{
    public PaymentOrderStatus State => PaymentOrderStatusNames.Parse(Status);
}

/// <summary>SQL for payment orders. A change of an order locks its loan's row first, then the order's, as every writer of a loan does.</summary>
public sealed class PaymentOrderStore(MySqlDataSource db)
{
    public static void HoldInsert(DbChange change, PaymentOrderRow order, DateTime queryAt)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(order);
        change.Write("""
            INSERT INTO payment_orders (out_trade_no, loan_id, borrower_id, kind, amount, payer_openid, status, prepay_id, expires_at,
                                        query_at, created_at, updated_at)
            VALUES (@OutTradeNo, @LoanId, @BorrowerId, @Kind, @Amount, @PayerOpenid, @Status, @PrepayId, @ExpiresAt, @queryAt, @CreatedAt, @UpdatedAt)
            """, new
        {
            order.OutTradeNo, order.LoanId, order.BorrowerId, order.Kind, order.Amount, order.PayerOpenid, order.Status, order.PrepayId,
            order.ExpiresAt, queryAt, order.CreatedAt, order.UpdatedAt,
        });
    }

    /// <summary>The loan an order is for (read without a lock: the caller then locks the loan, then the order).</summary>
    public async Task<Guid?> LoanOfAsync(string outTradeNo, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<Guid?>(new CommandDefinition(
            "SELECT loan_id FROM payment_orders WHERE out_trade_no = @outTradeNo", new { outTradeNo }, cancellationToken: ct));
    }

    public static Task<PaymentOrderRow?> LockAsync(DbChange change, string outTradeNo, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(change);
        return change.QuerySingleOrDefaultAsync<PaymentOrderRow>(Select + " WHERE out_trade_no = @outTradeNo FOR UPDATE", new { outTradeNo }, ct);
    }

    /// <summary>Moves the order to <paramref name="status"/> with what WeChat Pay said of it; it is not queried again.</summary>
    public static void HoldEnd(
        DbChange change, string outTradeNo, PaymentOrderStatus status, string? transactionId, long? paidAmount, DateTime? successTime, string? parkReason,
        DateTime now)
    {
        ArgumentNullException.ThrowIfNull(change);
        change.Write("""
            UPDATE payment_orders
               SET status = @status, transaction_id = COALESCE(@transactionId, transaction_id), paid_amount = COALESCE(@paidAmount, paid_amount),
                   success_time = COALESCE(@successTime, success_time), park_reason = COALESCE(@parkReason, park_reason),
                   query_at = NULL, lease_owner = NULL, updated_at = @now
             WHERE out_trade_no = @outTradeNo
            """, new { outTradeNo, status = status.ToWire(), transactionId, paidAmount, successTime, parkReason, now });
    }

    /// <summary>
    /// Leases up to <paramref name="batch"/> open orders whose time to be asked about has come, until
    /// <paramref name="leaseUntil"/> (their next query time unless the worker sets another): one UPDATE decides who works on what.
    /// </summary>
    public async Task<IReadOnlyList<PaymentOrderRow>> LeaseAsync(Guid owner, int batch, DateTime now, DateTime leaseUntil, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE payment_orders SET lease_owner = @owner, query_at = @leaseUntil
             WHERE status = @created AND query_at <= @now ORDER BY query_at LIMIT @batch
            """, new { owner, leaseUntil, now, batch, created = PaymentOrderStatusNames.Created }, cancellationToken: ct));
        return (await conn.QueryAsync<PaymentOrderRow>(new CommandDefinition(
            Select + " WHERE lease_owner = @owner AND query_at = @leaseUntil AND status = @created",
            new { owner, leaseUntil, created = PaymentOrderStatusNames.Created }, cancellationToken: ct))).AsList();
    }

    /// <summary>An open order is asked about again at <paramref name="queryAt"/>.</summary>
    public async Task RequeryAtAsync(string outTradeNo, DateTime queryAt, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE payment_orders SET query_at = @queryAt, lease_owner = NULL WHERE out_trade_no = @outTradeNo AND status = @created",
            new { outTradeNo, queryAt, created = PaymentOrderStatusNames.Created }, cancellationToken: ct));
    }

    public async Task<PaymentOrderRow?> GetAsync(Guid loanId, string outTradeNo, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<PaymentOrderRow>(new CommandDefinition(
            Select + " WHERE out_trade_no = @outTradeNo AND loan_id = @loanId", new { outTradeNo, loanId }, cancellationToken: ct));
    }

    /// <summary>A page of orders, newest first: a loan's (<paramref name="loanId"/>), or all of one status (for staff).</summary>
    public async Task<IReadOnlyList<PaymentOrderRow>> ListAsync(Guid? loanId, string? status, ListPosition? after, int take, CancellationToken ct)
    {
        var where = new SqlWhere()
            .And(loanId is not null, "loan_id = @loanId")
            .And(status is not null, "status = @status")
            .And(after is not null, "(created_at, out_trade_no) < (@afterTime, @afterNo)");
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<PaymentOrderRow>(new CommandDefinition(
            Select + where + " ORDER BY created_at DESC, out_trade_no DESC LIMIT @take",
            new { loanId, status, afterTime = after?.CreatedAt, afterNo = after?.Id.ToString("N"), take }, cancellationToken: ct))).AsList();
    }

    private const string Select = """
        SELECT out_trade_no, loan_id, borrower_id, kind, amount, payer_openid, status, prepay_id, transaction_id, paid_amount, success_time,
               park_reason, expires_at, created_at, updated_at
          FROM payment_orders
        """;
}
