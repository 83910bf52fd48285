using HeadlessLoan.Api.Features.Contact;
using HeadlessLoan.Api.Platform.Audit;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Platform.Jobs;
using HeadlessLoan.Api.Platform.Privacy;
using HeadlessLoan.Domain.Privacy;
using HeadlessLoan.Domain.Reminders;
using Microsoft.Extensions.Options;
using MySqlConnector;

namespace HeadlessLoan.Api.Features.Reminders;

/// <summary>
/// Sends the reminders that are due, on any number of instances at once: a batch is claimed (rows locked with SKIP
/// LOCKED, so instances take different ones), each is held to the contact rules under its borrower's lock and marked
/// <c>sending</c> in the claim's transaction, then sent, then its outcome recorded. A crash or a lost answer between
/// sending and recording leaves it <c>sending</c>: after <see cref="ReminderOptions.InDoubtAfterSeconds"/> an SMS is
/// looked up at the provider by its OutId (sent: recorded; never taken: sent again), and a WeChat message or call,
/// which cannot be looked up, is recorded <c>in_doubt</c> and not sent again. Each poll also fetches delivery receipts.
/// </summary>
public sealed class ReminderSender(
    MySqlDataSource db, AuditTrail audit, ReminderSettings settings, ReminderChannels channels, PersonalDataProtector protector,
    IOptions<ReminderOptions> options, IOptions<ContactOptions> contact, TimeProvider clock, ILogger<ReminderSender> logger) : PollingWorker(logger)
{
    protected override Task PauseAsync(CancellationToken ct) => Task.Delay(TimeSpan.FromMilliseconds(options.Value.PollMilliseconds), ct);

    public override async Task<int> RunOnceAsync(CancellationToken ct) =>
        await ReconcileAsync(ct) + await SendDueAsync(ct) + await FetchReceiptsAsync(ct);

    /// <summary>Runs until nothing is due and no receipt is waiting to be fetched now (tests walk the clock and call this).</summary>
    public async Task<int> DrainAsync(CancellationToken ct)
    {
        var total = 0;
        for (int done; (done = await RunOnceAsync(ct)) > 0;)
        {
            total += done;
        }

        return total;
    }

    private sealed record Claimed(ReminderContext Reminder, ReminderChannel Channel, Recipient To, RenderedReminder Message);

    private async Task<int> SendDueAsync(CancellationToken ct)
    {
        var now = DbTime.Now(clock);
        List<Claimed> claimed;
        int decided;
        IReadOnlyList<ScopedPolicy> policies;
        await using (var change = await DbChange.BeginAsync(db, audit, ct))
        {
            var due = await ReminderStore.ClaimDueAsync(change, now, options.Value.BatchSize, ct);
            if (due.Count == 0)
            {
                return 0;
            }

            // Read once for the batch: the rules for deciding now and for falling back after the sends.
            policies = await settings.PoliciesAsync(ct);
            (claimed, decided) = await DecideAsync(change, due, policies, now, ct);
            await change.CommitAsync(ct);
        }

        var outcomes = new (Claimed Claim, Dispatch Result)[claimed.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, claimed.Count), new ParallelOptions { MaxDegreeOfParallelism = options.Value.SendConcurrency, CancellationToken = ct },
            async (i, token) => outcomes[i] = (claimed[i], await channels.SendAsync(claimed[i].Channel, claimed[i].To, claimed[i].Message, claimed[i].Reminder.Id, token)));

        await using (var change = await DbChange.BeginAsync(db, audit, ct))
        {
            foreach (var (claim, result) in outcomes)
            {
                await RecordAsync(change, claim.Reminder, result, policies, DbTime.Now(clock), ct);
            }

            await change.CommitAsync(ct);
        }

        return decided + claimed.Count;
    }

    /// <summary>Holds each due reminder to the rules; returns those claimed for sending now, and how many were otherwise settled (skipped, deferred, moved on).</summary>
    private async Task<(List<Claimed> Claimed, int Decided)> DecideAsync(
        DbChange change, IReadOnlyList<ReminderContext> due, IReadOnlyList<ScopedPolicy> policies, DateTime now, CancellationToken ct)
    {
        var rules = contact.Value.Rules();
        var at = DbTime.ToOffset(now);
        var templates = await settings.TemplatesAsync(ct);
        var contacts = await ContactGuard.LockAsync(change, due.Select(d => d.BorrowerId).ToArray(), now, ct);
        var calls = contacts.ToDictionary(c => c.Key, c => c.Value.CallsToday.ToList());
        var claimed = new List<Claimed>();
        var decided = 0;
        foreach (var reminder in due)
        {
            var channel = ReminderChannelNames.Parse(reminder.Channel)!.Value;
            var to = new Recipient(reminder.OpenId, reminder.PhoneEnc is { } phone ? protector.Decrypt(phone, PersonalDataPurpose.Phone) : null);
            if (!reminder.StillOwed)
            {
                await ReminderStore.FinishAsync(change, reminder.Id, ReminderStatus.Skipped, null, "settled", now, ct);
            }
            else if (contacts[reminder.BorrowerId].DoNotContact)
            {
                await ReminderStore.FinishAsync(change, reminder.Id, ReminderStatus.Skipped, null, "do_not_contact", now, ct);
            }
            else if (rules.IsQuiet(at))
            {
                await ReminderStore.DeferAsync(change, reminder.Id, rules.NextAllowed(at).UtcDateTime, "quiet_hours", now, ct);
            }
            else if ((ReminderChannels.Unreachable(channel, to) ?? (templates.ContainsKey((reminder.TemplateKey, channel)) ? null : "no_template")) is { } unreachable)
            {
                await FailAsync(change, reminder, unreachable, policies, now, ct);
            }
            else if (channel == ReminderChannel.Voice && rules.NextCallAllowed(at, calls[reminder.BorrowerId]) is var allowed && allowed > at)
            {
                await ReminderStore.DeferAsync(change, reminder.Id, allowed.UtcDateTime, "call_limits", now, ct);
            }
            else
            {
                var template = templates[(reminder.TemplateKey, channel)];
                var values = reminder.Facts.Variables(protector);
                if (channel == ReminderChannel.Voice)
                {
                    await ContactGuard.RecordCallAsync(change, reminder.BorrowerId, ContactSources.Reminder, reminder.Id, now, ct);
                    calls[reminder.BorrowerId].Add(new PlacedCall(at, null));
                }

                await ReminderStore.MarkSendingAsync(change, reminder.Id, template.Version, now, ct);
                claimed.Add(new Claimed(reminder, channel, to, ReminderTemplating.Render(template, values)));
                continue;
            }

            decided++;
        }

        return (claimed, decided);
    }

    /// <summary>Records how a send ended; a failure moves on to the tier's next channel.</summary>
    private async Task RecordAsync(DbChange change, ReminderContext reminder, Dispatch result, IReadOnlyList<ScopedPolicy> policies, DateTime now, CancellationToken ct)
    {
        switch (result.Kind)
        {
            case DispatchKind.Sent or DispatchKind.Delivered:
                await ReminderStore.SentAsync(change, reminder.Id, result, now, ct);
                break;
            case DispatchKind.RetryLater when reminder.Attempts + 1 < options.Value.MaxAttempts:
                await ReminderStore.RetryAsync(change, reminder.Id, now.AddSeconds(options.Value.RetryAfterSeconds), result.Code, now, ct);
                break;
            case DispatchKind.Failed or DispatchKind.RetryLater:
                await FailAsync(change, reminder, result.Code ?? "failed", policies, now, ct);
                if (reminder.Channel == ReminderChannelNames.Voice)
                {
                    await ContactGuard.SetConnectedAsync(change, ContactSources.Reminder, reminder.Id, false, ct);
                }

                break;
            case DispatchKind.Unknown:
                break; // stays "sending": reconciled after InDoubtAfterSeconds
        }
    }

    /// <summary>The reminder failed on its channel: recorded, and the tier's next channel (if any) gets its own reminder, due now.</summary>
    private static async Task FailAsync(DbChange change, ReminderContext reminder, string code, IReadOnlyList<ScopedPolicy> policies, DateTime now, CancellationToken ct)
    {
        await ReminderStore.FinishAsync(change, reminder.Id, ReminderStatus.Failed, null, code, now, ct);
        var chain = ReminderSettings.PolicyFor(policies, reminder.ProductId)?.Tiers.FirstOrDefault(t => t.Code == reminder.Tier)?.Channels ?? [];
        var next = chain.SkipWhile(c => ReminderChannelNames.Of(c) != reminder.Channel).Skip(1).Select(c => (ReminderChannel?)c).FirstOrDefault();
        if (next is { } channel)
        {
            await ReminderStore.FallBackAsync(change, reminder.Id, ReminderChannelNames.Of(channel), now, ct);
        }
    }

    /// <summary>Sends interrupted long enough ago: an SMS looked up by its OutId, anything else recorded in doubt.</summary>
    private async Task<int> ReconcileAsync(CancellationToken ct)
    {
        var now = DbTime.Now(clock);
        var stale = await ReminderStore.InterruptedAsync(db, now.AddSeconds(-options.Value.InDoubtAfterSeconds), options.Value.BatchSize, ct);
        foreach (var reminder in stale)
        {
            Dispatch? found = null;
            var lookedUp = reminder.Channel == ReminderChannelNames.Sms && reminder.PhoneEnc is { } phone;
            if (lookedUp)
            {
                found = await channels.FindSmsAsync(protector.Decrypt(reminder.PhoneEnc!, PersonalDataPurpose.Phone),
                    ContactRules.DayOf(DbTime.ToOffset(reminder.UpdatedAt)), reminder.Id, ct);
            }

            await using var change = await DbChange.BeginAsync(db, audit, ct);
            if (found is not null)
            {
                await ReminderStore.SentAsync(change, reminder.Id, found, now, ct, onlyIfUpdatedAt: reminder.UpdatedAt);
            }
            else if (lookedUp)
            {
                await ReminderStore.RetryAsync(change, reminder.Id, now, "not_taken", now, ct, onlyIfUpdatedAt: reminder.UpdatedAt);
            }
            else
            {
                await ReminderStore.FinishAsync(change, reminder.Id, ReminderStatus.InDoubt, null, "no_answer", now, ct, onlyIfUpdatedAt: reminder.UpdatedAt);
            }

            await change.CommitAsync(ct);
        }

        return stale.Count;
    }

    /// <summary>Delivery receipts of sent SMS and calls, asked for every <see cref="ReminderOptions.ReceiptAfterSeconds"/> for a day.</summary>
    private async Task<int> FetchReceiptsAsync(CancellationToken ct)
    {
        var now = DbTime.Now(clock);
        var o = options.Value;
        var waiting = await ReminderStore.AwaitingReceiptAsync(db, now.AddSeconds(-o.ReceiptAfterSeconds), now.AddHours(-o.ReceiptForHours), o.BatchSize, ct);
        if (waiting.Count == 0)
        {
            return 0;
        }

        var receipts = new Dispatch?[waiting.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, waiting.Count), new ParallelOptions { MaxDegreeOfParallelism = o.SendConcurrency, CancellationToken = ct },
            async (i, token) =>
            {
                var w = waiting[i];
                receipts[i] = await channels.ReceiptAsync(ReminderChannelNames.Parse(w.Channel)!.Value, protector.Decrypt(w.PhoneEnc, PersonalDataPurpose.Phone),
                    w.ProviderRef, ContactRules.DayOf(DbTime.ToOffset(w.SentAt)), token);
            });

        await using var change = await DbChange.BeginAsync(db, audit, ct);
        var policies = await settings.PoliciesAsync(ct);
        for (var i = 0; i < waiting.Count; i++)
        {
            var w = waiting[i];
            if (receipts[i] is not { } receipt)
            {
                await ReminderStore.CheckedAsync(change, w.Id, now, ct);
                continue;
            }

            if (w.Channel == ReminderChannelNames.Voice)
            {
                await ContactGuard.SetConnectedAsync(change, ContactSources.Reminder, w.Id, receipt.Kind == DispatchKind.Delivered, ct);
            }

            if (receipt.Kind == DispatchKind.Delivered)
            {
                await ReminderStore.FinishAsync(change, w.Id, ReminderStatus.Delivered, null, receipt.Code, now, ct);
            }
            else if (await ReminderStore.ContextAsync(change, w.Id, now, ct) is { } reminder)
            {
                await FailAsync(change, reminder, receipt.Code ?? "failed", policies, now, ct);
            }
        }

        await change.CommitAsync(ct);
        return 0; // receipts alone do not make the poll run again at once: they are asked for again after a while
    }
}
