using System.Globalization;
using Dapper;
using HeadlessLoan.Domain.Ledger;
using HeadlessLoan.Domain.Schedules;
using MySqlConnector;

namespace HeadlessLoan.Api.Tests.Loans;

/// <summary>Who a seeded loan belongs to and what it was made from (an application and a product version that exist).</summary>
public sealed record LongLoanOwner(Guid ApplicationId, Guid ProductId, int ProductVersion, Guid? BorrowerId, Guid? ChannelId);

/// <summary>
/// A long-lived loan written straight into the tables, in a few multi-row statements (seconds, not the minutes that
/// a thousand postings through the API would take): 100,000 CNY at 4.9 % over 360 months (530.73 a month) with a
/// monthly fee of 10 CNY, paid out, and its first 333 periods accrued, charged and repaid — one disbursement and 333 ×
/// (accrual, fee, repayment) = 1,000 journal entries, built by the domain's postings, so every entry balances, and the
/// loan's balance snapshot is what those entries leave, and the schedule's unpaid parts equal the receivables: the
/// ledger's reconciliation holds. Used by the read tests and by bench/loan-read.sh (linked into BenchHost), so the
/// benchmark reads the loan the tests prove is read in two statements.
/// </summary>
public static class LongLoan
{
    public const int Periods = 360;
    public const int RepaidPeriods = 333;
    public const int Entries = 1 + (3 * RepaidPeriods);
    public const long Principal = 10_000_000;
    public const decimal AnnualRate = 0.049m;
    public const long MonthlyFee = 1_000;

    /// <summary>Writes the loan (active, paid out on <paramref name="disbursedOn"/>) in one transaction on <paramref name="conn"/>; returns its id.</summary>
    public static async Task<Guid> SeedAsync(MySqlConnection conn, LongLoanOwner owner, DateOnly disbursedOn)
    {
        ArgumentNullException.ThrowIfNull(conn);
        ArgumentNullException.ThrowIfNull(owner);
        var loanId = Guid.CreateVersion7();
        var schedule = ScheduleCalculator.Build(new ScheduleTerms(Principal, AnnualRate, Periods, RepaymentMethod.EqualInstallment, disbursedOn));
        var disbursedAt = At(disbursedOn);

        // The journal: the payout, then each repaid period's accrual, fee and repayment, posted together on its due date.
        var entries = new List<(JournalEntry Entry, DateTime PostedAt)>
        {
            (Postings.Disbursement(EntryIds.For(EntryKinds.Disbursement, loanId.ToString()), loanId, disbursedOn, Principal), disbursedAt),
        };
        foreach (var p in schedule.Periods.Take(RepaidPeriods))
        {
            var source = string.Create(CultureInfo.InvariantCulture, $"{loanId}:{p.Period}");
            var postedAt = At(p.DueDate);
            entries.Add((Postings.Accrual(EntryIds.For(EntryKinds.Accrual, source), loanId, p.DueDate, p.Interest, 0), postedAt));
            entries.Add((Postings.Fee(EntryIds.For(EntryKinds.Fee, source), loanId, p.DueDate, MonthlyFee), postedAt));
            entries.Add((Postings.Repayment(EntryIds.For(EntryKinds.Repayment, source), loanId, p.DueDate, PaymentRail.WeChatPay,
                new LoanComponents(p.Principal, p.Interest, 0, MonthlyFee), 0), postedAt));
        }

        var balances = LoanBalances.Empty;
        foreach (var (entry, _) in entries)
        {
            balances = balances.Apply(entry).After ?? throw new InvalidOperationException($"Entry {entry.Id} overdraws the loan.");
        }

        await using var tx = await conn.BeginTransactionAsync();
        await conn.ExecuteAsync("""
            INSERT INTO loans (id, application_id, borrower_id, channel_id, product_id, product_version, principal, term_months, method,
                               annual_rate, monthly_fee_rate, penalty_daily_rate, penalty_cap, apr, ceiling, one_year_lpr, lpr_date, status,
                               accepted_at, disbursed_on, created_at, updated_at, region_code)
            VALUES (@loanId, @ApplicationId, @BorrowerId, @ChannelId, @ProductId, @ProductVersion, @principal, @periods, 'equal_installment',
                    @rate, 0.0001, 0.0005, FLOOR(@principal * 0.24), @apr, 0.12, 0.03, NULL, 'active', @disbursedAt, @disbursedOn, @disbursedAt, @disbursedAt,
                    (SELECT a.declared_region_code FROM applications a WHERE a.id = @ApplicationId))
            """, new
        {
            loanId, owner.ApplicationId, owner.BorrowerId, owner.ChannelId, owner.ProductId, owner.ProductVersion, principal = Principal,
            periods = Periods, rate = AnnualRate, apr = Math.Round(schedule.Apr, 6), disbursedAt, disbursedOn = disbursedOn.ToDateTime(TimeOnly.MinValue),
        }, tx);
        await conn.ExecuteAsync("UPDATE loans SET contract_no = CONCAT('HL', @day, LPAD(seq, 8, '0')) WHERE id = @loanId",
            new { loanId, day = disbursedOn.ToString("yyyyMMdd", CultureInfo.InvariantCulture) }, tx);

        await InsertRowsAsync(conn, tx, "loan_periods (loan_id, period, due_date, principal_due, interest_due, fee_due, interest_accrued, fee_charged, principal_paid, interest_paid, fee_paid)",
            schedule.Periods.Select(p =>
            {
                var repaid = p.Period <= RepaidPeriods;
                return Row(loanId, p.Period, p.DueDate, p.Principal, p.Interest, MonthlyFee, repaid ? p.Interest : 0, repaid ? MonthlyFee : 0,
                    repaid ? p.Principal : 0, repaid ? p.Interest : 0, repaid ? MonthlyFee : 0);
            }));
        await InsertRowsAsync(conn, tx, "journal_entries (id, kind, loan_id, value_date, total, content_hash, created_at)",
            entries.Select(e => Row(e.Entry.Id, e.Entry.Kind, loanId, e.Entry.ValueDate, e.Entry.Total, e.Entry.ContentHash, e.PostedAt)));
        await InsertRowsAsync(conn, tx, "journal_lines (entry_id, line_no, account, loan_id, debit, credit)",
            entries.SelectMany(e => e.Entry.Lines.Select((l, i) => Row(e.Entry.Id, i + 1, l.Account.ToWire(), loanId,
                l.Side == EntrySide.Debit ? l.Amount : 0, l.Side == EntrySide.Credit ? l.Amount : 0))));
        await InsertRowsAsync(conn, tx, "loan_balances (loan_id, account, balance)",
            balances.ByAccount.Select(b => Row(loanId, b.Key.ToWire(), b.Value)));
        await tx.CommitAsync();
        return loanId;
    }

    /// <summary>10:00 in China on <paramref name="day"/>, as stored (UTC).</summary>
    private static DateTime At(DateOnly day) => day.ToDateTime(new TimeOnly(2, 0), DateTimeKind.Utc);

    /// <summary>Rows as SQL literals (the values are ours: numbers, ids, names, dates, hashes), 500 to a statement.</summary>
    private static async Task InsertRowsAsync(MySqlConnection conn, MySqlTransaction tx, string into, IEnumerable<string> rows)
    {
        foreach (var chunk in rows.Chunk(500))
        {
            await conn.ExecuteAsync($"INSERT INTO {into} VALUES {string.Join(",", chunk)}", transaction: tx);
        }
    }

    private static string Row(params object[] values) => "(" + string.Join(",", values.Select(Literal)) + ")";

    private static string Literal(object value) => value switch
    {
        Guid g => $"'{g}'",
        string s when s.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') => $"'{s}'",
        DateOnly d => d.ToString("\\'yyyy-MM-dd\\'", CultureInfo.InvariantCulture),
        DateTime t => t.ToString("\\'yyyy-MM-dd HH:mm:ss.ffffff\\'", CultureInfo.InvariantCulture),
        byte[] b => "X'" + Convert.ToHexString(b) + "'",
        int i => i.ToString(CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture),
        _ => throw new ArgumentException($"No literal for {value}.", nameof(value)),
    };
}
