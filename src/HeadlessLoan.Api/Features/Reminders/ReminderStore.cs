using Dapper;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Platform.Privacy;
using HeadlessLoan.Domain.Loans;
using HeadlessLoan.Domain.Privacy;
using HeadlessLoan.Domain.Reminders;
using MySqlConnector;

namespace HeadlessLoan.Api.Features.Reminders;

/// <summary>The stored names of reminders.status.</summary>
public static class ReminderStatus
{
    /// <summary>Planned, due from not_before on.</summary>
    public const string Pending = "pending";

    /// <summary>Claimed and being sent; left so only by a crash or a lost answer, then reconciled.</summary>
    public const string Sending = "sending";

    /// <summary>The provider took it (for WeChat, the end: it gives no receipt); a receipt may follow.</summary>
    public const string Sent = "sent";

    public const string Delivered = "delivered";
    public const string Failed = "failed";

    /// <summary>Not sent, and never will be: the period was paid, the borrower asked not to be contacted.</summary>
    public const string Skipped = "skipped";

    /// <summary>Whether it went out is not known and cannot be found out: not sent again.</summary>
    public const string InDoubt = "in_doubt";
}

/// <summary>A reminder with what deciding on it and filling it in needs, as of the moment it was read.</summary>
public sealed record ReminderContext(
    Guid Id, Guid LoanId, Guid ProductId, int Period, string Tier, string Channel, Guid BorrowerId, string TemplateKey, int Attempts,
    string LoanStatus, DateTime DueDate, long PeriodOwed, long OverdueOwed, int DaysOverdue, string? OpenId, byte[]? PhoneEnc, byte[] NameEnc,
    DateTime UpdatedAt)
{
    /// <summary>The loan is still being repaid and this period is not paid yet.</summary>
    public bool StillOwed => LoanStatus is LoanStatusNames.Active or LoanStatusNames.Overdue && PeriodOwed > 0;

    /// <summary>What the reminder's template is filled with; an overdue tier asks for everything overdue.</summary>
    public ReminderFacts Facts => new(LoanId, Period, DueDate, PeriodOwed, OverdueOwed, DaysOverdue, NameEnc, Overdue: Tier.StartsWith("d+", StringComparison.Ordinal));
}

/// <summary>
/// What a reminder about one period of a loan says, as stored (the name still encrypted): the period's due date and what
/// is owed on it, everything overdue on the loan, and the days since the due date (negative before it).
/// </summary>
public sealed record ReminderFacts(Guid LoanId, int Period, DateTime DueDate, long PeriodOwed, long OverdueOwed, int DaysOverdue, byte[] NameEnc, bool Overdue)
{
    /// <summary>What the reminder asks for: the period before its due date, everything overdue after it.</summary>
    public long Owed => Overdue ? Math.Max(OverdueOwed, PeriodOwed) : PeriodOwed;

    /// <summary>The values a template is filled with (the sender's and a preview's alike): the name masked, the days overdue never below 0.</summary>
    public ReminderVariables Variables(PersonalDataProtector protector)
    {
        ArgumentNullException.ThrowIfNull(protector);
        return new ReminderVariables(Mask.Name(protector.Decrypt(NameEnc, PersonalDataPurpose.Name)), Owed, DateOnly.FromDateTime(DueDate), Math.Max(0, DaysOverdue), LoanId);
    }
}

/// <summary>A sent SMS or call waiting for its receipt.</summary>
public sealed record AwaitedReceipt(Guid Id, string Channel, string ProviderRef, DateTime SentAt, byte[] PhoneEnc);

/// <summary>A reminder as GET /v1/loans/{id}/reminders shows it.</summary>
public sealed record ReminderRow(
    Guid Id, int Period, string Tier, string Channel, string TemplateKey, int? TemplateVersion, DateTime PlannedOn, string Status,
    DateTime NotBefore, int Attempts, string? Outcome, DateTime? SentAt, DateTime? FinishedAt, DateTime CreatedAt);

/// <summary>The SQL of reminders: every state change is conditional on the state it leaves, so a second instance changes nothing twice.</summary>
public static class ReminderStore
{
    private const string Owed = "q.principal_due + q.interest_due + q.fee_due + q.penalty_due - q.principal_paid - q.interest_paid - q.fee_paid - q.penalty_paid";

    private static readonly string PeriodOwed = Owed.Replace("q.", "p.", StringComparison.Ordinal);

    /// <summary>What a reminder about the period <c>p</c> of the loan <c>l</c> says (see <see cref="ReminderFacts"/>), as of <c>@today</c>.</summary>
    private static readonly string FactsColumns = $"""
        p.due_date, CAST({PeriodOwed} AS SIGNED) AS period_owed,
               CAST((SELECT COALESCE(SUM({Owed}), 0) FROM loan_periods q WHERE q.loan_id = p.loan_id AND q.due_date < @today) AS SIGNED) AS overdue_owed,
               DATEDIFF(@today, p.due_date) AS days_overdue
        """;

    private static readonly string ContextSql = $"""
        SELECT r.id, r.loan_id, l.product_id, r.period, r.tier, r.channel, r.borrower_id, r.template_key, r.attempts, l.status AS loan_status,
               {FactsColumns},
               b.wechat_openid AS open_id, b.phone_enc, a.declared_name_enc AS name_enc, r.updated_at
          FROM reminders r
          JOIN loans l ON l.id = r.loan_id
          JOIN loan_periods p ON p.loan_id = r.loan_id AND p.period = r.period
          JOIN applications a ON a.id = l.application_id
          LEFT JOIN borrowers b ON b.id = r.borrower_id
        """;

    /// <summary>
    /// What a reminder to a loan would say today, for a preview: about its oldest unpaid period, everything overdue when
    /// that period is past its due date. Null when the loan owes nothing (or does not exist).
    /// </summary>
    public static async Task<ReminderFacts?> LoanFactsAsync(MySqlDataSource db, Guid loanId, DateTime now, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<LoanFactsRow>(new CommandDefinition($"""
            SELECT p.loan_id, p.period, {FactsColumns}, a.declared_name_enc AS name_enc
              FROM loans l
              JOIN applications a ON a.id = l.application_id
              JOIN loan_periods p ON p.loan_id = l.id
             WHERE l.id = @loanId AND l.status IN ('{LoanStatusNames.Active}', '{LoanStatusNames.Overdue}') AND {PeriodOwed} > 0
             ORDER BY p.period LIMIT 1
            """, new { loanId, today = Today(now) }, cancellationToken: ct));
        return row is null ? null
            : new ReminderFacts(row.LoanId, row.Period, row.DueDate, row.PeriodOwed, row.OverdueOwed, row.DaysOverdue, row.NameEnc, Overdue: row.DaysOverdue > 0);
    }

    private sealed record LoanFactsRow(Guid LoanId, int Period, DateTime DueDate, long PeriodOwed, long OverdueOwed, int DaysOverdue, byte[] NameEnc);

    /// <summary>Locks a batch of due reminders that no other instance holds, and reads them.</summary>
    public static async Task<IReadOnlyList<ReminderContext>> ClaimDueAsync(DbChange change, DateTime now, int batch, CancellationToken ct)
    {
        var ids = (await change.QueryAsync<Guid>("""
            SELECT id FROM reminders WHERE status = 'pending' AND not_before <= @now ORDER BY not_before, id LIMIT @batch FOR UPDATE SKIP LOCKED
            """, new { now, batch }, ct)).ToArray();
        return ids.Length == 0 ? [] : (await change.QueryAsync<ReminderContext>(ContextSql + " WHERE r.id IN @ids", new { ids, today = Today(now) }, ct)).ToArray();
    }

    public static async Task<ReminderContext?> ContextAsync(DbChange change, Guid id, DateTime now, CancellationToken ct) =>
        await change.QuerySingleOrDefaultAsync<ReminderContext>(ContextSql + " WHERE r.id = @id", new { id, today = Today(now) }, ct);

    public static Task MarkSendingAsync(DbChange change, Guid id, int templateVersion, DateTime now, CancellationToken ct) =>
        change.ExecuteAsync("""
            UPDATE reminders SET status = 'sending', attempts = attempts + 1, template_version = @templateVersion, updated_at = @now
             WHERE id = @id AND status = 'pending'
            """, new { id, templateVersion, now }, ct);

    public static Task DeferAsync(DbChange change, Guid id, DateTime until, string why, DateTime now, CancellationToken ct) =>
        change.ExecuteAsync("UPDATE reminders SET not_before = @until, outcome = @why, updated_at = @now WHERE id = @id AND status = 'pending'",
            new { id, until, why, now }, ct);

    /// <summary>Back to pending, due at <paramref name="at"/> (a provider's "not now", or an interrupted SMS it never took).</summary>
    public static Task RetryAsync(DbChange change, Guid id, DateTime at, string? why, DateTime now, CancellationToken ct, DateTime? onlyIfUpdatedAt = null) =>
        change.ExecuteAsync("""
            UPDATE reminders SET status = 'pending', not_before = @at, outcome = @why, updated_at = @now
             WHERE id = @id AND status = 'sending' AND (@seen IS NULL OR updated_at = @seen)
            """, new { id, at, why, now, seen = onlyIfUpdatedAt }, ct);

    public static Task SentAsync(DbChange change, Guid id, Dispatch result, DateTime now, CancellationToken ct, DateTime? onlyIfUpdatedAt = null) =>
        change.ExecuteAsync("""
            UPDATE reminders SET status = @status, provider_ref = COALESCE(@providerRef, provider_ref), outcome = @code,
                   sent_at = COALESCE(sent_at, @now), finished_at = IF(@status = 'delivered', @now, NULL), updated_at = @now
             WHERE id = @id AND status = 'sending' AND (@seen IS NULL OR updated_at = @seen)
            """, new
        {
            id, now, providerRef = result.ProviderRef, code = result.Code, seen = onlyIfUpdatedAt,
            status = result.Kind == DispatchKind.Delivered ? ReminderStatus.Delivered : ReminderStatus.Sent,
        }, ct);

    /// <summary>Ends a reminder that is not yet finished (failed, skipped, in doubt, delivered).</summary>
    public static Task FinishAsync(DbChange change, Guid id, string status, string? providerRef, string? outcome, DateTime now, CancellationToken ct, DateTime? onlyIfUpdatedAt = null) =>
        change.ExecuteAsync("""
            UPDATE reminders SET status = @status, provider_ref = COALESCE(@providerRef, provider_ref), outcome = @outcome, finished_at = @now, updated_at = @now
             WHERE id = @id AND status IN ('pending', 'sending', 'sent') AND (@seen IS NULL OR updated_at = @seen)
            """, new { id, status, providerRef, outcome, now, seen = onlyIfUpdatedAt }, ct);

    /// <summary>The tier's next channel for the same loan and period, due now; once only, by the reminders' key.</summary>
    public static Task FallBackAsync(DbChange change, Guid failedId, string channel, DateTime now, CancellationToken ct) =>
        change.ExecuteAsync("""
            INSERT IGNORE INTO reminders (id, loan_id, period, tier, channel, borrower_id, template_key, planned_on, status, not_before, attempts, created_at, updated_at)
            SELECT @id, loan_id, period, tier, @channel, borrower_id, template_key, planned_on, 'pending', @now, 0, @now, @now FROM reminders WHERE id = @failedId
            """, new { id = Guid.CreateVersion7(), failedId, channel, now }, ct);

    public static Task CheckedAsync(DbChange change, Guid id, DateTime now, CancellationToken ct) =>
        change.ExecuteAsync("UPDATE reminders SET checked_at = @now WHERE id = @id", new { id, now }, ct);

    /// <summary>Reminders left "sending" since before <paramref name="before"/>.</summary>
    public static async Task<IReadOnlyList<ReminderContext>> InterruptedAsync(MySqlDataSource db, DateTime before, int batch, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<ReminderContext>(new CommandDefinition(
            ContextSql + " WHERE r.status = 'sending' AND r.updated_at < @before ORDER BY r.updated_at LIMIT @batch",
            new { before, batch, today = Today(before) }, cancellationToken: ct))).ToArray();
    }

    /// <summary>Sent SMS and calls due for a receipt check: last checked (or sent) before <paramref name="checkedBefore"/>, sent after <paramref name="sentAfter"/>.</summary>
    public static async Task<IReadOnlyList<AwaitedReceipt>> AwaitingReceiptAsync(MySqlDataSource db, DateTime checkedBefore, DateTime sentAfter, int batch, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<AwaitedReceipt>(new CommandDefinition("""
            SELECT r.id, r.channel, r.provider_ref, r.sent_at, b.phone_enc
              FROM reminders r JOIN borrowers b ON b.id = r.borrower_id
             WHERE r.status = 'sent' AND r.channel IN ('sms', 'voice') AND r.provider_ref IS NOT NULL AND b.phone_enc IS NOT NULL
               AND r.sent_at > @sentAfter AND COALESCE(r.checked_at, r.sent_at) <= @checkedBefore
             ORDER BY r.sent_at LIMIT @batch
            """, new { checkedBefore, sentAfter, batch }, cancellationToken: ct))).ToArray();
    }

    /// <summary>A loan's reminders, newest first (a loan has a few dozen at most: the tiers of its periods).</summary>
    public static async Task<IReadOnlyList<ReminderRow>> ListAsync(MySqlDataSource db, Guid loanId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<ReminderRow>(new CommandDefinition("""
            SELECT id, period, tier, channel, template_key, template_version, planned_on, status, not_before, attempts, outcome, sent_at, finished_at, created_at
              FROM reminders WHERE loan_id = @loanId ORDER BY created_at DESC, id DESC
            """, new { loanId }, cancellationToken: ct))).ToArray();
    }

    private static DateTime Today(DateTime utc) => Domain.Reminders.ContactRules.DayOf(DbTime.ToOffset(utc)).ToDateTime(TimeOnly.MinValue);
}
