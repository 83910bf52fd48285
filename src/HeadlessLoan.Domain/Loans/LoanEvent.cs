namespace HeadlessLoan.Domain.Loans;

/// <summary>What can happen to a loan; each is decided against its status by <see cref="LoanLifecycle.Next"/>.</summary>
public enum LoanEvent
{
    /// <summary>The bank confirms the payout: the loan starts, its schedule dated from the payout day.</summary>
    ConfirmDisbursement,

    /// <summary>The bank refuses the payout, or it fails later.</summary>
    FailDisbursement,

    /// <summary>Staff ask for the payout again (with a second approver).</summary>
    RetryDisbursement,

    /// <summary>The loan is called off before any money moved.</summary>
    Cancel,

    /// <summary>A repayment that leaves something owed; the loan stays as it is (a cure is <see cref="CatchUp"/>).</summary>
    Repay,

    /// <summary>A repayment (or a credit) that leaves no period past due: an overdue loan is current again.</summary>
    CatchUp,

    /// <summary>A repayment that leaves nothing owed.</summary>
    PayOff,

    /// <summary>The close of business finds a due period unpaid.</summary>
    MarkOverdue,

    /// <summary>An overdue loan is written off as a loss.</summary>
    WriteOff,

    /// <summary>Money received on a written-off loan: a recovery; the loan stays written off.</summary>
    Recover,

    /// <summary>Money the borrower paid beyond what is owed goes back to them; the status does not change.</summary>
    Refund,
}
