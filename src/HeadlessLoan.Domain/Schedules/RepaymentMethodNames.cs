namespace HeadlessLoan.Domain.Schedules;

/// <summary>
/// The contract's names for <see cref="RepaymentMethod"/>. Matching is exact (ordinal) so a query
/// string accepts the same spellings the OpenAPI enum lists and nothing else.
/// </summary>
public static class RepaymentMethodNames
{
    private const string EqualInstallment = "equal_installment";
    private const string EqualPrincipal = "equal_principal";
    private const string InterestFirst = "interest_first";
    private const string Bullet = "bullet";

    public static IReadOnlyList<string> All { get; } =
        Array.AsReadOnly([EqualInstallment, EqualPrincipal, InterestFirst, Bullet]);

    public static string ToWire(RepaymentMethod m) => m switch
    {
        RepaymentMethod.EqualInstallment => EqualInstallment,
        RepaymentMethod.EqualPrincipal => EqualPrincipal,
        RepaymentMethod.InterestFirst => InterestFirst,
        RepaymentMethod.Bullet => Bullet,
        _ => throw new ArgumentOutOfRangeException(nameof(m), m, "Unknown repayment method."),
    };

    public static bool TryParse(string? wire, out RepaymentMethod m)
    {
        switch (wire)
        {
            case EqualInstallment: m = RepaymentMethod.EqualInstallment; return true;
            case EqualPrincipal: m = RepaymentMethod.EqualPrincipal; return true;
            case InterestFirst: m = RepaymentMethod.InterestFirst; return true;
            case Bullet: m = RepaymentMethod.Bullet; return true;
            default: m = default; return false;
        }
    }
}
