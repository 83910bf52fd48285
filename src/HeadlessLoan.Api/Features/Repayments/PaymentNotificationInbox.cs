using System.Text.Json;
using Dapper;
using HeadlessLoan.Api.Integrations.WeChatPay;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Platform.Jobs;
using Microsoft.Extensions.Options;
using MySqlConnector;

namespace HeadlessLoan.Api.Features.Repayments;

/// <summary>
/// WeChat Pay's payment notifications, kept as received: the endpoint stores each verified one in one INSERT and
/// answers 204 (WeChat Pay wants an answer within 5 s, and resends what it does not hear back about), and
/// <see cref="PaymentNotificationWorker"/> settles what is stored. The same transaction notified again is one row.
/// </summary>
public sealed class PaymentNotificationInbox(MySqlDataSource db, TimeProvider clock) : IDisposable
{
    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };
    private readonly SemaphoreSlim _arrived = new(0, 1);

    /// <summary>Stores the notification's transaction (once per transaction id) and wakes this instance's worker.</summary>
    public async Task StoreAsync(TransactionResource transaction, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        await using (var conn = await db.OpenConnectionAsync(ct))
        {
            await conn.ExecuteAsync(new CommandDefinition("""
                INSERT IGNORE INTO payment_notifications (transaction_id, out_trade_no, resource, received_at) VALUES (@id, @no, @resource, @now)
                """, new
            {
                id = transaction.TransactionId, no = transaction.OutTradeNumber ?? "", resource = JsonSerializer.Serialize(transaction, Json), now = DbTime.Now(clock),
            }, cancellationToken: ct));
        }

        Wake();
    }

    /// <summary>Waits until a notification arrives at this instance or <paramref name="timeout"/> passes.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken ct) => await _arrived.WaitAsync(timeout, ct);

    /// <summary>Leases up to <paramref name="batch"/> stored notifications not yet applied (one UPDATE decides who works on what).</summary>
    public async Task<IReadOnlyList<(string TransactionId, TransactionResource Transaction)>> LeaseAsync(Guid owner, int batch, DateTime until, CancellationToken ct)
    {
        var now = DbTime.Now(clock);
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE payment_notifications SET lease_owner = @owner, lease_until = @until, attempts = attempts + 1
             WHERE applied_at IS NULL AND (lease_until IS NULL OR lease_until < @now) ORDER BY received_at LIMIT @batch
            """, new { owner, until, now, batch }, cancellationToken: ct));
        var rows = await conn.QueryAsync<(string TransactionId, string Resource)>(new CommandDefinition(
            "SELECT transaction_id, resource FROM payment_notifications WHERE lease_owner = @owner AND lease_until = @until AND applied_at IS NULL",
            new { owner, until }, cancellationToken: ct));
        return rows.Select(r => (r.TransactionId, JsonSerializer.Deserialize<TransactionResource>(r.Resource, Json)!)).ToList();
    }

    /// <summary>Marks settled notifications applied, with what became of each.</summary>
    public async Task MarkAppliedAsync(IEnumerable<(string TransactionId, Settlement Outcome)> settled, CancellationToken ct)
    {
        var now = DbTime.Now(clock);
        await using var conn = await db.OpenConnectionAsync(ct);
        foreach (var group in settled.GroupBy(s => s.Outcome))
        {
            await conn.ExecuteAsync(new CommandDefinition(
                "UPDATE payment_notifications SET applied_at = @now, outcome = @outcome, lease_owner = NULL WHERE transaction_id IN @ids",
                new { now, outcome = group.Key.ToString(), ids = group.Select(s => s.TransactionId).ToList() }, cancellationToken: ct));
        }
    }

    public void Dispose() => _arrived.Dispose();

    private void Wake()
    {
        try
        {
            _arrived.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already awake.
        }
    }
}

/// <summary>
/// Settles stored notifications (<see cref="PaymentSettlement"/>), several loans at once. Every instance runs one; leases
/// share the rows, and a notification whose settling failed is taken again when its lease runs out.
/// </summary>
public sealed partial class PaymentNotificationWorker(
    PaymentNotificationInbox inbox, PaymentSettlement settlement, IOptions<RepaymentsOptions> options, TimeProvider clock,
    ILogger<PaymentNotificationWorker> logger) : PollingWorker(logger)
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private readonly Guid _owner = Guid.NewGuid();

    /// <summary>Woken by the next notification at this instance, or after the poll interval for those stored at others.</summary>
    protected override Task PauseAsync(CancellationToken ct) =>
        inbox.WaitAsync(TimeSpan.FromMilliseconds(options.Value.NotificationPollMilliseconds), ct);

    public override async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var leased = await inbox.LeaseAsync(_owner, options.Value.NotificationBatchSize, DbTime.Now(clock) + Lease, ct);
        var settled = new System.Collections.Concurrent.ConcurrentBag<(string, Settlement)>();
        await Parallel.ForEachAsync(leased, new ParallelOptions { MaxDegreeOfParallelism = options.Value.NotificationParallelism, CancellationToken = ct },
            async (n, token) =>
            {
                try
                {
                    settled.Add((n.TransactionId, await settlement.SettleAsync(n.Transaction, token)));
                }
                catch (Exception e) when (DatabaseFaults.IsUnavailable(e))
                {
                    // Its lease runs out and it is taken again.
                    LogRetried(logger, n.TransactionId, e.Message);
                }
            });
        await inbox.MarkAppliedAsync(settled, ct);
        return leased.Count;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Payment notification {TransactionId} is settled later: {Message}")]
    private static partial void LogRetried(ILogger logger, string transactionId, string message);
}
