using HeadlessLoan.Domain.Ledger;

namespace HeadlessLoan.Domain.Tests.Ledger;

public sealed class JournalEntryTests
{
    private static readonly Guid Loan = Guid.Parse("0190a000-0000-7000-8000-000000000001");
    private static readonly DateOnly Day = new(2026, 12, 2);

    [Fact]
    public void An_entry_whose_debits_differ_from_its_credits_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => JournalEntry.Create(Guid.NewGuid(), EntryKinds.Repayment, Loan, Day,
            [JournalLine.Debit(LedgerAccount.WeChatPayClearing, 100), JournalLine.Credit(LedgerAccount.PrincipalReceivable, 99)]));

        Assert.Contains("does not balance", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-5)]
    [InlineData(0)]
    public void Negative_amounts_and_entries_of_fewer_than_two_lines_are_refused(long amount)
    {
        Assert.Throws<ArgumentException>(() => JournalEntry.Create(Guid.NewGuid(), EntryKinds.Fee, Loan, Day,
            [JournalLine.Debit(LedgerAccount.FeeReceivable, amount), JournalLine.Credit(LedgerAccount.FeeIncome, amount)]));
    }

    [Fact]
    public void Zero_lines_are_left_out_and_the_total_is_the_sum_of_the_debits()
    {
        var entry = Postings.Repayment(Guid.NewGuid(), Loan, Day, PaymentRail.WeChatPay, new LoanComponents(700, 300, 0, 0), 0);

        Assert.Equal(3, entry.Lines.Count);
        Assert.Equal(1_000, entry.Total);
    }

    [Fact]
    public void The_same_content_hashes_alike_whatever_the_id_and_line_order_and_other_content_does_not()
    {
        JournalLine[] lines = [JournalLine.Debit(LedgerAccount.PrincipalReceivable, 500), JournalLine.Credit(LedgerAccount.PayoutClearing, 500)];
        var first = JournalEntry.Create(Guid.NewGuid(), EntryKinds.Disbursement, Loan, Day, lines);
        var again = JournalEntry.Create(Guid.NewGuid(), EntryKinds.Disbursement, Loan, Day, lines.Reverse());
        var other = JournalEntry.Create(first.Id, EntryKinds.Disbursement, Loan, Day.AddDays(1), lines);

        Assert.Equal(first.ContentHash, again.ContentHash);
        Assert.NotEqual(first.ContentHash, other.ContentHash);
    }

    [Fact]
    public void A_reversal_undoes_the_entry()
    {
        var repayment = Postings.Repayment(Guid.NewGuid(), Loan, Day, PaymentRail.WeChatPay, new LoanComponents(700, 300, 20, 0), 80);
        var disbursed = LoanBalances.Empty.Apply(Postings.Disbursement(Guid.NewGuid(), Loan, Day, 10_000)).After!
            .Apply(Postings.Accrual(Guid.NewGuid(), Loan, Day, 300, 20)).After!;

        var repaid = disbursed.Apply(repayment).After!;
        var undone = repaid.Apply(repayment.Reversal(Guid.NewGuid(), Day)).After!;

        Assert.Equal(new LoanComponents(9_300, 0, 0, 0), repaid.Outstanding);
        Assert.Equal(80, repaid.Credit);
        Assert.Equal(disbursed.Outstanding, undone.Outstanding);
        Assert.Equal(0, undone.Credit);
    }

    [Fact]
    public void An_entry_that_would_settle_more_than_is_owed_or_refund_more_than_the_credit_is_refused()
    {
        var owed = LoanBalances.Empty.Apply(Postings.Disbursement(Guid.NewGuid(), Loan, Day, 1_000)).After!;

        Assert.Equal(LedgerAccount.PrincipalReceivable,
            owed.Apply(Postings.Repayment(Guid.NewGuid(), Loan, Day, PaymentRail.WeChatPay, new LoanComponents(1_001, 0, 0, 0), 0)).Overdrawn);
        Assert.Equal(LedgerAccount.BorrowerSuspense, owed.Apply(Postings.Refund(Guid.NewGuid(), Loan, Day, 1)).Overdrawn);
    }

    [Fact]
    public void The_chart_names_every_account_once_and_parses_them_back()
    {
        Assert.Equal(Enum.GetValues<LedgerAccount>().Length, ChartOfAccounts.All.Distinct().Count());
        foreach (var account in Enum.GetValues<LedgerAccount>())
        {
            Assert.Equal(account, ChartOfAccounts.Parse(account.ToWire()));
        }

        Assert.Throws<FormatException>(() => ChartOfAccounts.Parse("cash"));
    }

    [Fact]
    public void A_write_off_empties_every_receivable_into_the_expense_and_a_recovery_is_income_beside_it()
    {
        var owed = LoanBalances.Empty.Apply(Postings.Disbursement(Guid.NewGuid(), Loan, Day, 10_000)).After!
            .Apply(Postings.Accrual(Guid.NewGuid(), Loan, Day, 300, 40)).After!
            .Apply(Postings.Fee(Guid.NewGuid(), Loan, Day, 25)).After!;

        var writeOff = Postings.WriteOff(Guid.NewGuid(), Loan, Day, owed.Outstanding);
        var writtenOff = owed.Apply(writeOff).After!;
        var recovered = writtenOff.Apply(Postings.Recovery(Guid.NewGuid(), Loan, Day, PaymentRail.Offline, 6_000, 15)).After!;

        Assert.Equal(10_365, writeOff.Total);
        Assert.Equal(new LoanComponents(0, 0, 0, 0), writtenOff.Outstanding);
        Assert.Equal(10_365, writtenOff[LedgerAccount.WriteOffExpense]);
        Assert.Equal(6_000, recovered[LedgerAccount.RecoveryIncome]);
        Assert.Equal(15, recovered.Credit);
        Assert.Equal(6_015, recovered[LedgerAccount.OfflineClearing]);
        var fromCredit = recovered.Apply(Postings.CreditRecovered(Guid.NewGuid(), Loan, Day, 15)).After!;
        Assert.Equal((6_015, 0), (fromCredit[LedgerAccount.RecoveryIncome], fromCredit.Credit));
        Assert.Equal(LedgerAccount.BorrowerSuspense, fromCredit.Apply(Postings.CreditRecovered(Guid.NewGuid(), Loan, Day, 1)).Overdrawn);
        Assert.True(LedgerAccount.WriteOffExpense.IsDebitNormal());
        Assert.False(LedgerAccount.RecoveryIncome.IsDebitNormal());
        // Writing off more than is owed would overdraw a receivable: refused like any other entry.
        Assert.Equal(LedgerAccount.PrincipalReceivable, owed.Apply(Postings.WriteOff(Guid.NewGuid(), Loan, Day, owed.Outstanding with { Principal = 10_001 })).Overdrawn);
    }
}
