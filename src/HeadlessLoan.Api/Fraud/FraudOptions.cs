using System.ComponentModel.DataAnnotations;

namespace HeadlessLoan.Api.Fraud;

public sealed class FraudOptions
{
    public const string Section = "Fraud";

    /// <summary>IP2Location DB3 CSV; the bundled sample when empty.</summary>
    public string? IpRegionFile { get; init; }

    /// <summary>How far back shared devices and repeated ID numbers or cards are counted.</summary>
    [Range(1, 365)]
    public int WindowDays { get; init; } = 30;
}
