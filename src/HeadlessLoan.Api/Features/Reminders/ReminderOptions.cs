using System.ComponentModel.DataAnnotations;
namespace HeadlessLoan.Api.Features.Reminders;

public sealed class ReminderOptions
{
    public const string Section = "Reminders";

    /// <summary>Run the planner and the sender in this process (the default); tests and a separate worker process turn it off.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Reminders claimed per batch; they are sent a few at once (<see cref="SendConcurrency"/>).</summary>
    [Range(1, 1_000)]
    public int BatchSize { get; init; } = 100;

    [Range(1, 64)]
    public int SendConcurrency { get; init; } = 8;

    /// <summary>How often an idle sender looks for reminders due and receipts to fetch.</summary>
    [Range(100, 3_600_000)]
    public int PollMilliseconds { get; init; } = 5_000;

    /// <summary>A reminder still "sending" this long after it was claimed was interrupted (a crash, a lost answer) and is reconciled.</summary>
    [Range(1, 86_400)]
    public int InDoubtAfterSeconds { get; init; } = 120;

    /// <summary>How long after sending a delivery receipt is first asked for, and then how often.</summary>
    [Range(1, 86_400)]
    public int ReceiptAfterSeconds { get; init; } = 30;

    /// <summary>Receipts are asked for this long after sending; a message with none by then stays "sent".</summary>
    [Range(1, 72)]
    public int ReceiptForHours { get; init; } = 24;

    /// <summary>A provider's "too many for now" (throttling, a daily limit) waits this long and is tried again, at most <see cref="MaxAttempts"/> times.</summary>
    [Range(1, 86_400)]
    public int RetryAfterSeconds { get; init; } = 3_600;

    [Range(1, 20)]
    public int MaxAttempts { get; init; } = 5;

    /// <summary>The SMS signature (签名) the provider approved for the lender.</summary>
    [Required(ErrorMessage = "Reminders:SmsSignName is required (the SMS signature the provider approved).")]
    [MaxLength(20)]
    public string SmsSignName { get; init; } = "";

    /// <summary>Which version of the mini-program a subscribe message opens: formal, trial or developer.</summary>
    [RegularExpression("^(formal|trial|developer)$", ErrorMessage = "Reminders:MiniProgramState must be formal, trial or developer.")]
    public string MiniProgramState { get; init; } = "formal";
}
