using HeadlessLoan.Api.Platform.Database;

namespace HeadlessLoan.Api.Features.Loans;

/// <summary>
/// A loan's schedule summed up on its own row (migration 0034), what lets the close of business close a quiet loan from
/// that row alone (<see cref="LoanDayEnd"/>): as of its last close (<c>summary_of</c>), the period running after it
/// (<c>running_*</c>: its number, due date, start, the principal it accrues on, its scheduled and accrued interest), the
/// oldest unsettled due date, and what is outstanding per component. The close adds the running period's interest on
/// the row (<c>running_accrued</c>, <c>pending_interest</c>), written onto the period's row only when something needs
/// the periods themselves: so a period's recognised interest is its <c>interest_accrued</c> plus the loan's
/// <c>pending_interest</c> when it is the running period (<see cref="InterestAccruedSql"/>). Whatever changes a loan's
/// periods first calls <see cref="WritePendingAsync"/> under the loan's lock, which also voids the summary: the loan's
/// next close takes the long way, which sums its periods up again (<see cref="AggregatesSql"/>, <see cref="AssignmentsSql"/>).
/// </summary>
public static class LoanSummary
{
    /// <summary>The interest period <paramref name="period"/> (an alias of <c>loan_periods</c>) has recognised, with its loan <paramref name="loan"/> (of <c>loans</c>).</summary>
    public static string InterestAccruedSql(string period, string loan) =>
        $"({period}.interest_accrued + IF({period}.period = {loan}.running_period, {loan}.pending_interest, 0))";

    /// <summary>
    /// Writes the loan's pending interest onto its running period and voids its summary, in the caller's change, which
    /// holds the loan's row lock: from here on its periods alone say what it has recognised, and may be changed.
    /// </summary>
    public static Task WritePendingAsync(DbChange change, Guid loanId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(change);
        return change.ExecuteAsync(WritePendingSql("l.id = @loanId") + "; UPDATE loans l SET l.summary_of = NULL WHERE l.id = @loanId AND l.summary_of IS NOT NULL",
            new { loanId }, ct);
    }

    /// <summary>
    /// Writes the pending interest of the loans <paramref name="loans"/> selects (a condition on <c>l</c>) onto their
    /// running periods: two statements, the period first (an update of two tables at once does not promise which
    /// assignment it makes first).
    /// </summary>
    public static string WritePendingSql(string loans) => $"""
        UPDATE loan_periods p JOIN loans l ON l.id = p.loan_id AND p.period = l.running_period
           SET p.interest_accrued = p.interest_accrued + l.pending_interest
         WHERE {loans} AND l.pending_interest > 0;
        UPDATE loans l SET l.pending_interest = 0 WHERE {loans} AND l.pending_interest > 0
        """;

    /// <summary>
    /// Sums up the periods of the loans <paramref name="loans"/> selects (a condition on <c>l</c>, loans closed through
    /// <c>@day</c> with no interest pending) as of <c>@day</c>, as the close's long way does (<see cref="AggregatesSql"/>,
    /// <see cref="AssignmentsSql"/>): for a book written outside a close (the benchmark's).
    /// </summary>
    public static string RefreshSql(string loans) => $"""
        UPDATE loans l
          LEFT JOIN (SELECT p.loan_id, {AggregatesSql}
                       FROM loans l JOIN loan_periods p ON p.loan_id = l.id
                      WHERE {loans}
                      GROUP BY p.loan_id) s ON s.loan_id = l.id
          LEFT JOIN loan_periods r ON r.loan_id = l.id AND r.due_date = s.running_due
           SET {AssignmentsSql("s", "r")}
         WHERE {loans}
        """;

    /// <summary>
    /// What a summary takes of a loan's periods (<c>p</c>, grouped by loan) as of <c>@day</c>: the running period is the
    /// first due after it, running from the due date before it (or the payout day) on every later period's unpaid
    /// principal, as the close accrues it; the oldest unsettled due date; what is outstanding per component.
    /// </summary>
    public const string AggregatesSql = $"""
        MIN(IF(p.due_date > @day, p.due_date, NULL)) AS running_due, MAX(IF(p.due_date <= @day, p.due_date, NULL)) AS previous_due,
        SUM(IF(p.due_date > @day, p.principal_due - p.principal_paid, 0)) AS running_base, MIN(IF({Unsettled}, p.due_date, NULL)) AS oldest_unsettled_due,
        SUM(p.principal_due - p.principal_paid) AS principal_outstanding, SUM(p.interest_accrued - p.interest_paid) AS interest_outstanding,
        SUM(p.fee_charged - p.fee_paid) AS fee_outstanding, SUM(p.penalty_due - p.penalty_paid) AS penalty_outstanding
        """;

    /// <summary>
    /// The assignments of a loan's (<c>l</c>) summary as of <c>@day</c> from <paramref name="sums"/> (<see cref="AggregatesSql"/>'s,
    /// absent for a loan without periods: nothing running, nothing outstanding) and its running period <paramref name="running"/>.
    /// </summary>
    public static string AssignmentsSql(string sums, string running) => $"""
        l.summary_of = @day, l.running_period = {running}.period, l.running_due = {sums}.running_due,
        l.running_from = COALESCE({sums}.previous_due, l.disbursed_on), l.running_base = COALESCE({sums}.running_base, 0),
        l.running_interest_due = COALESCE({running}.interest_due, 0), l.running_accrued = COALESCE({running}.interest_accrued, 0),
        l.oldest_unsettled_due = {sums}.oldest_unsettled_due, l.principal_outstanding = COALESCE({sums}.principal_outstanding, 0),
        l.interest_outstanding = COALESCE({sums}.interest_outstanding, 0), l.fee_outstanding = COALESCE({sums}.fee_outstanding, 0),
        l.penalty_outstanding = COALESCE({sums}.penalty_outstanding, 0)
        """;

    /// <summary>A period with anything unpaid (<see cref="Domain.Loans.LoanPeriod.Settled"/> not), as SQL on <c>p</c>.</summary>
    public const string Unsettled =
        "(p.principal_paid < p.principal_due OR p.interest_paid < p.interest_due OR p.fee_paid < p.fee_due OR p.penalty_paid < p.penalty_due)";
}
