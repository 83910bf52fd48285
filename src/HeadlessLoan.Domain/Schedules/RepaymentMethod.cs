namespace HeadlessLoan.Domain.Schedules;

/// <summary>How a loan is paid back. Wire names are snake_case (see <see cref="RepaymentMethodNames"/>).</summary>
public enum RepaymentMethod
{
    /// <summary>等额本息: the same payment every month.</summary>
    EqualInstallment,

    /// <summary>等额本金: the same principal every month, interest on what is outstanding.</summary>
    EqualPrincipal,

    /// <summary>先息后本: interest every month, all principal in the last month.</summary>
    InterestFirst,

    /// <summary>一次性还本付息: principal and interest in one payment at the end.</summary>
    Bullet,
}
