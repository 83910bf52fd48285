namespace HeadlessLoan.Domain.Loans;

/// <summary>What can happen to a payment order; each is decided against its status by <see cref="PaymentOrderLifecycle.Next"/>.</summary>
public enum PaymentOrderEvent
{
    /// <summary>WeChat Pay says SUCCESS and the notification matches the order (amount, payer, merchant): apply the money.</summary>
    Pay,

    /// <summary>The order expired or we closed it (the borrower gave up, or staff settle a parked one another way).</summary>
    Close,

    /// <summary>WeChat Pay says PAYERROR.</summary>
    Fail,

    /// <summary>
    /// A notification that does not match the order, or SUCCESS on an order we already closed or saw fail: money may have moved
    /// and we cannot apply it on our own, so it is kept for a person.
    /// </summary>
    Park,

    /// <summary>Staff have reviewed a parked order and apply its money.</summary>
    Release,
}
