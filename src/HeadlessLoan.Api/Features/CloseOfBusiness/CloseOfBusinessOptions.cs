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

    /// <summary>Slices of a date's loans closed at once, each in a transaction of its own on a connection of its own (the database's cores are what they share).</summary>
    [Range(1, 16)]
    public int Workers { get; init; } = 2;

    /// <summary>How often an idle job looks whether a new day has come.</summary>
    [Range(100, 3_600_000)]
    public int PollMilliseconds { get; init; } = 30_000;
}
