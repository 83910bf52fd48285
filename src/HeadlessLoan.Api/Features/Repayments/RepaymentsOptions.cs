using System.ComponentModel.DataAnnotations;

namespace HeadlessLoan.Api.Features.Repayments;

public sealed class RepaymentsOptions
{
    public const string Section = "Repayments";

    /// <summary>How long a WeChat Pay order may be paid (its time_expire); after that it is closed.</summary>
    [Range(5, 120, ErrorMessage = "Repayments:OrderValidMinutes must be between 5 and 120.")]
    public int OrderValidMinutes { get; init; } = 30;

    /// <summary>How long an order waits for WeChat Pay's notification before the reconciliation job asks about it (and between its questions).</summary>
    [Range(1, 3_600, ErrorMessage = "Repayments:QueryAfterSeconds must be between 1 and 3600.")]
    public int QueryAfterSeconds { get; init; } = 60;

    /// <summary>Whether this process may run the reconciliation job (one instance at a time runs it, holding its lease).</summary>
    public bool ReconcilerEnabled { get; init; } = true;

    [Range(10, 60_000, ErrorMessage = "Repayments:ReconcilePollMilliseconds must be between 10 and 60000.")]
    public int ReconcilePollMilliseconds { get; init; } = 1_000;

    [Range(1, 100, ErrorMessage = "Repayments:ReconcileBatchSize must be between 1 and 100.")]
    public int ReconcileBatchSize { get; init; } = 16;

    /// <summary>Whether this process settles stored payment notifications (every instance may: leases share the rows).</summary>
    public bool NotificationWorkerEnabled { get; init; } = true;

    /// <summary>How long the notification worker waits for a notification stored at another instance before it looks.</summary>
    [Range(10, 60_000, ErrorMessage = "Repayments:NotificationPollMilliseconds must be between 10 and 60000.")]
    public int NotificationPollMilliseconds { get; init; } = 500;

    [Range(1, 1_000, ErrorMessage = "Repayments:NotificationBatchSize must be between 1 and 1000.")]
    public int NotificationBatchSize { get; init; } = 128;

    /// <summary>How many notifications (of different loans, or one after another for one loan) are settled at once.</summary>
    [Range(1, 64, ErrorMessage = "Repayments:NotificationParallelism must be between 1 and 64.")]
    public int NotificationParallelism { get; init; } = 8;
}
