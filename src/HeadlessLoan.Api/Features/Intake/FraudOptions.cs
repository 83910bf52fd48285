using System.ComponentModel.DataAnnotations;

namespace HeadlessLoan.Api.Features.Intake;

public sealed class FraudOptions
{
    public const string Section = "Fraud";

    /// <summary>How far back shared devices and repeated ID numbers or cards are counted.</summary>
    [Range(1, 365)]
    public int WindowDays { get; init; } = 30;
}
