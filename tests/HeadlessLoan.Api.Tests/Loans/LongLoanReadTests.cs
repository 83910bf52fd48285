using System.Globalization;
using System.Net;
using HeadlessLoan.Api.Tests.Infrastructure;
using HeadlessLoan.Domain.Schedules;
using Xunit.Abstractions;

namespace HeadlessLoan.Api.Tests.Loans;

/// <summary>
/// A long-lived loan (360 periods, 1,000 journal entries) is read without replaying its history: the loan, its
/// schedule and a page of its transactions each in at most two SQL statements, counted as the service sends them
/// (<see cref="SqlCommands"/>). Fineract's GET /loans/{id} takes over 20 s on such loans (FINERACT-2111).
/// </summary>
public sealed class LongLoanReadTests(LoansFactory api, ITestOutputHelper output) : IClassFixture<LoansFactory>
{
    [Fact]
    public async Task A_loan_with_360_periods_and_1000_entries_reads_in_at_most_two_statements_each()
    {
        using var borrower = await api.CreateBorrowerClientAsync();
        var loanId = await LoanFlow.LongLoanAsync(api, borrower);

        var (loan, loanSql) = await SqlCommands.GetAsync(borrower, $"/v1/loans/{loanId}");
        var (schedule, scheduleSql) = await SqlCommands.GetAsync(borrower, $"/v1/loans/{loanId}/schedule");
        var (transactions, transactionsSql) = await SqlCommands.GetAsync(borrower, $"/v1/loans/{loanId}/transactions");

        await loan.AssertStatusAsync(HttpStatusCode.OK);
        await schedule.AssertStatusAsync(HttpStatusCode.OK);
        await transactions.AssertStatusAsync(HttpStatusCode.OK);
        foreach (var (name, sql) in new[] { ("loan", loanSql), ("schedule", scheduleSql), ("transactions", transactionsSql) })
        {
            Assert.True(sql.Commands.Count >= 1, $"{name}: no SQL was seen, so the count proves nothing");
            Assert.All(sql.Commands, c => Assert.False(string.IsNullOrWhiteSpace(c), $"{name}: a command without its text"));
            output.WriteLine($"{name}: {sql.Statements} statement(s) in {sql.Commands.Count} round trip(s)");
            Assert.True(sql.Statements <= 2, $"{name}: {sql.Statements} statements in {sql.Commands.Count} round trips:\n{string.Join("\n---\n", sql.Commands)}");
        }

        // What was read is the whole loan: every period, a full first page, the balances the 333 repayments left.
        var periods = (await schedule.ReadJsonAsync()).GetProperty("periods").EnumerateArray().ToList();
        Assert.Equal(LongLoan.Periods, periods.Count);
        Assert.Equal(LongLoan.RepaidPeriods, periods.Count(p => p.GetProperty("status").GetString() == "paid"));
        var body = await loan.ReadJsonAsync();
        Assert.Equal(periods.Sum(p => p.GetProperty("outstanding").GetProperty("principal").GetInt64()), body.GetProperty("receivable").GetProperty("principal").GetInt64());
        Assert.Equal(LongLoan.RepaidPeriods + 1, body.GetProperty("nextDue").GetProperty("period").GetInt32());
        var page = await transactions.ReadJsonAsync();
        Assert.Equal(20, page.GetProperty("items").GetArrayLength());
        Assert.Equal(LongLoanLastPosting(), page.GetProperty("items")[0].GetProperty("businessDate").GetString());
    }

    /// <summary>The due date of the last repaid period, as the API writes dates.</summary>
    private static string LongLoanLastPosting() =>
        ScheduleCalculator.Build(new ScheduleTerms(LongLoan.Principal, LongLoan.AnnualRate, LongLoan.Periods, RepaymentMethod.EqualInstallment,
                LoanFlow.LongLoanDisbursedOn))
            .Periods[LongLoan.RepaidPeriods - 1].DueDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
