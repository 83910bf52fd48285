using Dapper;
using HeadlessLoan.Api.Features.CloseOfBusiness;
using HeadlessLoan.Api.Platform.Audit;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Platform.Jobs;
using HeadlessLoan.Domain.Loans;
using HeadlessLoan.Domain.Reminders;
using Microsoft.Extensions.Options;
using MySqlConnector;

namespace HeadlessLoan.Api.Features.Reminders;

/// <summary>
/// Plans each business date's reminders once the close of business of the day before is done (so a period that fell
/// due yesterday is overdue and a repayment made since counts): one set-based INSERT IGNORE writes the intent of every
/// reminder whose tier's window holds today, for the period it is about — the next one to fall due for a tier before the
/// due date, the oldest unpaid one for an overdue tier. The key (loan, period, tier, channel) makes a second planner, or a
/// second day of a tier's window, add nothing; the date's row in reminder_plans makes later polls of the day do nothing.
/// </summary>
public sealed partial class ReminderPlanner(
    MySqlDataSource db, AuditTrail audit, ReminderSettings settings, ClosedDates closed, JobLeases leases, IOptions<ReminderOptions> options, TimeProvider clock,
    ILogger<ReminderPlanner> logger) : LeasedWorker(leases, Job, TimeSpan.FromMinutes(2), logger)
{
    public const string Job = "reminder-planner";

    protected override Task PauseAsync(CancellationToken ct) => Task.Delay(TimeSpan.FromMilliseconds(options.Value.PollMilliseconds), ct);

    /// <summary>Plans today when it is due; returns the reminders planned (0 when there was nothing to do).</summary>
    protected override async Task<int> RunLeasedAsync(CancellationToken ct)
    {
        // Not before the close of yesterday has finished: the overdue marks are not in until then.
        if (await closed.DueTodayAsync("SELECT COUNT(*) FROM reminder_plans WHERE business_date = @day", ct) is not { } today)
        {
            return 0;
        }

        var day = today.ToDateTime(TimeOnly.MinValue);
        var tiers = await TierRowsAsync(today, ct);
        var now = DbTime.Now(clock);
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        var planned = await change.ExecuteAsync(PlanSql, new { tiers = JsonRows.Of(tiers), day, now }, ct);
        var marked = await change.ExecuteAsync("INSERT IGNORE INTO reminder_plans (business_date, reminders, planned_at) VALUES (@day, @planned, @now)",
            new { day, planned, now }, ct);
        if (marked == 0)
        {
            return 0; // another planner got there first; its rows and ours are the same rows
        }

        await change.CommitAsync(ct);
        LogPlanned(logger, today, planned);
        return Math.Max(planned, 1);
    }

    /// <summary>Every product's tiers (its own policy, else the default) with the due dates each tier's window reaches today.</summary>
    private async Task<IReadOnlyList<TierRow>> TierRowsAsync(DateOnly today, CancellationToken ct)
    {
        var policies = await settings.PoliciesAsync(ct);
        await using var conn = await db.OpenConnectionAsync(ct);
        var products = await conn.QueryAsync<Guid>(new CommandDefinition("SELECT id FROM products", cancellationToken: ct));
        var rows = new List<TierRow>();
        foreach (var product in products)
        {
            if (ReminderSettings.PolicyFor(policies, product) is not { } policy)
            {
                continue;
            }

            foreach (var window in policy.Windows())
            {
                // Days from the due date in [from, until) ⇔ the due date in [today − until + 1, today − from].
                rows.Add(new TierRow(product, window.Tier.Code, ReminderChannelNames.Of(window.Tier.Channels[0]), window.Tier.TemplateKey,
                    today.AddDays(-(window.UntilDay - 1)).ToString("yyyy-MM-dd"), today.AddDays(-window.FromDay).ToString("yyyy-MM-dd"), window.Tier.BeforeDue ? 1 : 0));
            }
        }

        return rows;
    }

    private sealed record TierRow(Guid ProductId, string Tier, string Channel, string TemplateKey, string DueFrom, string DueUntil, int BeforeDue);

    private const string Unpaid = "(q.principal_paid < q.principal_due OR q.interest_paid < q.interest_due OR q.fee_paid < q.fee_due OR q.penalty_paid < q.penalty_due)";

    private static readonly string PlanSql = $"""
        INSERT IGNORE INTO reminders (id, loan_id, period, tier, channel, borrower_id, template_key, planned_on, status, not_before, attempts, created_at, updated_at)
        SELECT UUID(), p.loan_id, p.period, t.tier, t.channel, l.borrower_id, t.template_key, @day, 'pending', @now, 0, @now, @now
          FROM JSON_TABLE(@tiers, '$[*]' COLUMNS (
                 product_id CHAR(36) CHARACTER SET ascii PATH '$.productId', tier VARCHAR(8) CHARACTER SET ascii PATH '$.tier',
                 channel VARCHAR(20) CHARACTER SET ascii PATH '$.channel', template_key VARCHAR(40) CHARACTER SET ascii PATH '$.templateKey',
                 due_from DATE PATH '$.dueFrom', due_until DATE PATH '$.dueUntil', before_due INT PATH '$.beforeDue')) t
          JOIN loan_periods p ON p.due_date BETWEEN t.due_from AND t.due_until
          JOIN loans l ON l.id = p.loan_id AND l.product_id = t.product_id
         WHERE l.status IN ('{LoanStatusNames.Active}', '{LoanStatusNames.Overdue}') AND l.borrower_id IS NOT NULL
           AND {Unpaid.Replace("q.", "p.", StringComparison.Ordinal)}
           AND (t.before_due = 1 OR NOT EXISTS (SELECT 1 FROM loan_periods q WHERE q.loan_id = p.loan_id AND q.period < p.period AND {Unpaid}))
        """;

    [LoggerMessage(Level = LogLevel.Information, Message = "Reminders for {BusinessDate} planned: {Reminders}")]
    private static partial void LogPlanned(ILogger logger, DateOnly businessDate, int reminders);
}
