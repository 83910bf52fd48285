using System.Net;
using System.Net.Http.Json;
using Dapper;
using HeadlessLoan.Api.Features.Ledger;
using HeadlessLoan.Api.Platform.Audit;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Tests.Infrastructure;
using HeadlessLoan.Domain.Ledger;
using Microsoft.Extensions.DependencyInjection;
using MySqlConnector;

namespace HeadlessLoan.Api.Tests.Ledger;

/// <summary>Posts journal entries through the service's own store, in changes of its own, against MariaDB.</summary>
public static class Ledger
{
    public static readonly DateOnly Day = new(2026, 3, 2);

    /// <summary>Posts <paramref name="entry"/> in a change of its own and commits it.</summary>
    public static async Task<PostingOutcome> PostAsync(this ApiFactory api, JournalEntry entry)
    {
        var store = api.Services.GetRequiredService<LedgerStore>();
        await using var change = await DbChange.BeginAsync(api.Services.GetRequiredService<MySqlDataSource>(), api.Services.GetRequiredService<AuditTrail>(), default);
        var outcome = await store.PostAsync(change, entry, default);
        await change.CommitAsync(default);
        return outcome;
    }

    public static async Task<LedgerReconciliationResponse> ReconcileAsync(this ApiFactory api)
    {
        using var auditor = await api.CreateAdminClientAsync();
        var response = await auditor.GetAsync("/v1/ledger/reconciliation");
        await response.AssertStatusAsync(HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<LedgerReconciliationResponse>())!;
    }
}

public sealed class LedgerStoreTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static readonly DateOnly Day = Ledger.Day;

    [Fact]
    public async Task Entries_are_written_once_with_the_loans_balances_and_the_books_prove_balanced()
    {
        var loan = Guid.NewGuid();
        var repayment = Postings.Repayment(Guid.NewGuid(), loan, Day, PaymentRail.WeChatPay, new LoanComponents(4_000, 1_200, 0, 0), 300);

        Assert.Equal(PostingOutcome.Written, await api.PostAsync(Postings.Disbursement(Guid.NewGuid(), loan, Day, 100_000)));
        Assert.Equal(PostingOutcome.Written, await api.PostAsync(Postings.Accrual(Guid.NewGuid(), loan, Day, 1_200, 50)));
        Assert.Equal(PostingOutcome.Written, await api.PostAsync(repayment));
        Assert.Equal(PostingOutcome.AlreadyWritten, await api.PostAsync(repayment));
        var sameIdOtherContent = Postings.Repayment(repayment.Id, loan, Day, PaymentRail.WeChatPay, new LoanComponents(4_000, 1_200, 0, 0), 301);
        Assert.Equal(PostingOutcome.ConflictingId, await api.PostAsync(sameIdOtherContent));
        var tooMuch = Postings.Repayment(Guid.NewGuid(), loan, Day, PaymentRail.WeChatPay, new LoanComponents(96_001, 0, 0, 0), 0);
        Assert.Equal(PostingOutcome.Overdrawn, await api.PostAsync(tooMuch));

        await using var db = await api.OpenDatabaseAsync();
        var balances = (await db.QueryAsync<(string, long)>("SELECT account, balance FROM loan_balances WHERE loan_id = @loan", new { loan }))
            .ToDictionary(r => r.Item1, r => r.Item2);
        Assert.Equal(96_000, balances["principal_receivable"]);
        Assert.Equal(0, balances["interest_receivable"]);
        Assert.Equal(50, balances["penalty_receivable"]);
        Assert.Equal(300, balances["borrower_suspense"]);
        Assert.Equal(3, await db.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM journal_entries WHERE loan_id = @loan", new { loan }));
        Assert.Equal(0, await db.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM journal_entries WHERE id = @id", new { id = tooMuch.Id }));

        var proof = await api.ReconcileAsync();
        Assert.True(proof.Ok, $"unbalanced {string.Join(",", proof.UnbalancedEntries)}; mismatches {string.Join(",", proof.SnapshotMismatches)}");
        Assert.Equal(proof.TotalDebits, proof.TotalCredits);
        Assert.True(proof.Entries >= 3 && proof.LoansChecked >= 1);
    }

    [Fact]
    public async Task The_same_posting_at_once_from_ten_changes_is_written_once()
    {
        var loan = Guid.NewGuid();
        await api.PostAsync(Postings.Disbursement(Guid.NewGuid(), loan, Day, 50_000));
        var repayment = Postings.Repayment(Guid.NewGuid(), loan, Day, PaymentRail.WeChatPay, new LoanComponents(1_000, 0, 0, 0), 0);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => PostRetryingConflictsAsync(repayment)));

        Assert.Equal(1, outcomes.Count(o => o == PostingOutcome.Written));
        Assert.All(outcomes, o => Assert.True(o is PostingOutcome.Written or PostingOutcome.AlreadyWritten, o.ToString()));
        await using var db = await api.OpenDatabaseAsync();
        Assert.Equal(49_000, await db.ExecuteScalarAsync<long>(
            "SELECT balance FROM loan_balances WHERE loan_id = @loan AND account = 'principal_receivable'", new { loan }));
        Assert.True((await api.ReconcileAsync()).Ok);
    }

    /// <summary>
    /// As a client told to come back does: a change that lost a conflict (a deadlock) runs again after a pause, a
    /// random one growing with each attempt (without it, ten losers coming straight back can keep killing each other).
    /// </summary>
    private async Task<PostingOutcome> PostRetryingConflictsAsync(JournalEntry entry)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await api.PostAsync(entry);
            }
            catch (Exception e) when (DatabaseFaults.IsConflict(e) && attempt < 10)
            {
                await Task.Delay(Random.Shared.Next(5, 20 * attempt));
            }
        }
    }

    [Fact]
    public async Task The_services_account_can_append_to_the_journal_but_never_change_or_delete_it()
    {
        var entry = Postings.Fee(Guid.NewGuid(), Guid.NewGuid(), Day, 500);
        await api.PostAsync(entry);
        await using var app = await api.OpenApplicationDatabaseAsync();

        foreach (var (table, sql) in new[]
        {
            ("journal_entries", "UPDATE journal_entries SET total = 1 WHERE id = @id"),
            ("journal_entries", "DELETE FROM journal_entries WHERE id = @id"),
            ("journal_lines", "UPDATE journal_lines SET debit = 1 WHERE entry_id = @id"),
            ("journal_lines", "DELETE FROM journal_lines WHERE entry_id = @id"),
        })
        {
            var error = await Assert.ThrowsAsync<MySqlException>(() => app.ExecuteAsync(sql, new { id = entry.Id }));
            Assert.Equal(MySqlErrorCode.TableAccessDenied, error.ErrorCode);
            Assert.Contains(table, error.Message, StringComparison.Ordinal);
        }

        Assert.Equal(2, await app.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM journal_lines WHERE entry_id = @id", new { id = entry.Id }));
    }
}

/// <summary>The reconciliation finds what was changed behind the ledger's back (a class of its own: it leaves the books broken).</summary>
public sealed class LedgerReconciliationTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_line_added_behind_the_ledgers_back_and_a_snapshot_edited_are_both_reported()
    {
        var loan = Guid.NewGuid();
        var disbursed = Postings.Disbursement(Guid.NewGuid(), loan, Ledger.Day, 10_000);
        await api.PostAsync(disbursed);
        Assert.True((await api.ReconcileAsync()).Ok);

        await using (var root = await api.OpenDatabaseAsync())
        {
            await root.ExecuteAsync("INSERT INTO journal_lines (entry_id, line_no, account, loan_id, debit, credit) VALUES (@id, 9, 'principal_receivable', @loan, 1, 0)",
                new { id = disbursed.Id, loan });
            await root.ExecuteAsync("UPDATE loan_balances SET balance = balance + 5 WHERE loan_id = @loan AND account = 'payout_clearing'", new { loan });
        }

        var proof = await api.ReconcileAsync();

        Assert.False(proof.Ok);
        Assert.Equal(proof.TotalDebits - 1, proof.TotalCredits);
        Assert.Equal([disbursed.Id], proof.UnbalancedEntries);
        Assert.Contains(proof.SnapshotMismatches, m => m.LoanId == loan && m.Account == "principal_receivable" && m.Snapshot == 10_000 && m.Lines == 10_001);
        Assert.Contains(proof.SnapshotMismatches, m => m.LoanId == loan && m.Account == "payout_clearing");
    }

}

/// <summary>The reconciliation holds each loan's receivables to its schedule (a class of its own: it leaves the books broken).</summary>
public sealed class LedgerScheduleReconciliationTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_schedule_edited_behind_the_ledgers_back_is_reported_per_component()
    {
        using var borrower = await api.CreateBorrowerClientAsync();
        var loanId = await Loans.LoanFlow.LongLoanAsync(api, borrower);
        Assert.True((await api.ReconcileAsync()).Ok);

        await using (var root = await api.OpenDatabaseAsync())
        {
            // A repaid period loses a fen of what it was paid, an unpaid one gains interest nobody posted.
            await root.ExecuteAsync("UPDATE loan_periods SET principal_paid = principal_paid - 1 WHERE loan_id = @loanId AND period = 1", new { loanId });
            await root.ExecuteAsync("UPDATE loan_periods SET interest_accrued = 7 WHERE loan_id = @loanId AND period = 360", new { loanId });
        }

        var proof = await api.ReconcileAsync();

        Assert.False(proof.Ok);
        Assert.True(proof.SchedulesChecked >= 1);
        // The fen of principal is the loan's own; the interest nobody posted could be the loan's part of the accrual
        // pool, so it is the pool that no longer matches what the loans' schedules hold beyond their balances.
        var found = Assert.Single(proof.ScheduleMismatches, m => m.LoanId == loanId);
        Assert.Equal("principal", found.Component);
        Assert.Equal(found.Ledger + 1, found.Schedule);
        var interest = Assert.Single(proof.AccrualPool, p => p.Component == "interest");
        Assert.Equal(interest.Pool + 7, interest.Pending);
        Assert.All(proof.AccrualPool.Where(p => p.Component != "interest"), p => Assert.Equal(p.Pool, p.Pending));
        // The journal and the snapshots were not touched: they still agree.
        Assert.DoesNotContain(proof.SnapshotMismatches, m => m.LoanId == loanId);
    }
}
