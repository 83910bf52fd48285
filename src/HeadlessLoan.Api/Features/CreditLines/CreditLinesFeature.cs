namespace HeadlessLoan.Api.Features.CreditLines;

/// <summary>Credit lines: set at a borrower's first accepted approval, moved by repayments and overdue by versioned rules.</summary>
public static class CreditLinesFeature
{
    public static WebApplicationBuilder AddCreditLines(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<CreditLines>();
        builder.Services.AddSingleton<Loans.ILoanAcceptanceObserver, CreditLineOnAcceptance>();
        builder.Services.AddSingleton<Loans.ILoanRepaymentObserver, CreditLineOnRepayment>();
        builder.Services.AddSingleton<Loans.ILoanOverdueObserver, CreditLineOnOverdue>();
        return builder;
    }

    public static IEndpointRouteBuilder MapCreditLines(this IEndpointRouteBuilder app) => app.MapCreditLinesApi();
}

/// <summary>A borrower's first accepted approval sets their credit line.</summary>
internal sealed class CreditLineOnAcceptance : Loans.ILoanAcceptanceObserver
{
    public Task OnAcceptedAsync(Platform.Database.DbChange change, Loans.AcceptedLoan loan, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(loan);
        return CreditLines.FirstApprovalAsync(change, loan.BorrowerId, loan.Principal, loan.LoanId, loan.Now, ct);
    }
}

/// <summary>Each period a repayment settled on time counts towards the borrower's next raise.</summary>
internal sealed class CreditLineOnRepayment : Loans.ILoanRepaymentObserver
{
    public Task OnRepaidAsync(Platform.Database.DbChange change, Loans.RepaidLoan repaid, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(repaid);
        return CreditLines.RecordManyAsync(change, Enumerable.Repeat(((Guid, Guid?))(repaid.BorrowerId, repaid.LoanId), repaid.PeriodsSettledOnTime).ToList(),
            Domain.CreditLines.CreditLineEvent.OnTimeRepayment, repaid.Now, ct);
    }
}

/// <summary>A loan falling overdue cuts the borrower's line and ends their on-time streak: a close's batch at a time.</summary>
internal sealed class CreditLineOnOverdue : Loans.ILoanOverdueObserver
{
    public Task OnWentOverdueAsync(Platform.Database.DbChange change, IReadOnlyList<Loans.OverdueLoan> loans, DateTime now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(loans);
        return CreditLines.RecordManyAsync(change, loans.Select(l => (l.BorrowerId, (Guid?)l.LoanId)).ToList(), Domain.CreditLines.CreditLineEvent.WentOverdue, now, ct);
    }
}
