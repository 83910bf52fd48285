namespace HeadlessLoan.Client.Tests;

internal static class TestProducts
{
    public static ProductDefinition Definition(string name) => new()
    {
        Name = name,
        RepaymentMethods = [RepaymentMethod.EqualInstallment, RepaymentMethod.EqualPrincipal],
        AnnualRateMin = 0.03m,
        AnnualRateMax = 0.10m,
        AmountMin = 100_000,
        AmountMax = 20_000_000,
        TermMinMonths = 3,
        TermMaxMonths = 36,
        PenaltyDailyRate = 0.0003m,
        AllocationOrder = AllocationPreset.InterestPrincipalPenaltyFee,
        Overpayment = OverpaymentSetting.Prepay,
        Prepayment = PrepaymentSetting.ShortenTerm,
        AgeMin = 22,
        AgeMax = 55,
        AutoApprovalLimit = 5_000_000,
    };

    public static string UniqueName(string prefix) => prefix + " " + Guid.NewGuid().ToString("N")[..8];
}
