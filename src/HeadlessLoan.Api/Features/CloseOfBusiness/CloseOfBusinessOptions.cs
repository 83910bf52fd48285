using System.ComponentModel.DataAnnotations;

namespace HeadlessLoan.Api.Features.CloseOfBusiness;

public sealed class CloseOfBusinessOptions
{
    public const string Section = "CloseOfBusiness";

    /// <summary>Run the COB job in this process (the default); tests and a separate worker process turn it off.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Loans per batch: one transaction, its loan rows locked while it runs (a repayment waits at most that long).</summary>
    [Range(1, 50_000)]
    public int BatchSize { get; init; } = 2_000;

    /// <summary>
    /// The most penalty a loan is charged over its life, as a share of its principal: by default what a year of penalty
    /// at the 24 % all-in ceiling comes to. Each day's penalty is held within the loan's own all-in ceiling as well.
    /// </summary>
    [Range(typeof(decimal), "0", "1")]
    public decimal PenaltyCapShareOfPrincipal { get; init; } = 0.24m;

    /// <summary>How often an idle job looks whether a new day has come.</summary>
    [Range(100, 3_600_000)]
    public int PollMilliseconds { get; init; } = 30_000;
}
