using System.ComponentModel.DataAnnotations;
using HeadlessLoan.Domain.Collections;

namespace HeadlessLoan.Api.Features.Collections;

public sealed class CollectionsOptions
{
    public const string Section = "Collections";

    /// <summary>Run the daily pass in this process (the default); tests and a separate worker process turn it off.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>How new orders are handed to collectors of their region.</summary>
    public AssignmentRule Assignment { get; init; } = AssignmentRule.RoundRobin;

    /// <summary>The latest a promise to pay may be for, in days from today.</summary>
    [Range(1, 90)]
    public int MaxPromiseDays { get; init; } = 30;

    [Range(100, 3_600_000)]
    public int PollMilliseconds { get; init; } = 30_000;
}
