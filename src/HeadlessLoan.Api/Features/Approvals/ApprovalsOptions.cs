using System.ComponentModel.DataAnnotations;

namespace HeadlessLoan.Api.Features.Approvals;

public sealed class ApprovalsOptions
{
    public const string Section = "Approvals";

    /// <summary>Run the hand-off router and the escalation job in this process; several instances may (work is claimed under row locks).</summary>
    public bool WorkersEnabled { get; init; } = true;

    [Range(10, 60_000)]
    public int PollMilliseconds { get; init; } = 200;

    [Range(1, 500)]
    public int BatchSize { get; init; } = 32;

    /// <summary>The seed policy's score threshold: between 50,000 and 100,000 CNY a department head also signs below it.</summary>
    [Range(1, 1000)]
    public int DeptHeadBelowScore { get; init; } = 650;

    /// <summary>An open or claimed task older than this is escalated (once).</summary>
    [Range(1, 60 * 24 * 30)]
    public int EscalateAfterMinutes { get; init; } = 240;

    [Range(1, 3600)]
    public int EscalationCheckSeconds { get; init; } = 60;

    /// <summary>Relation kinds that bar a member of staff from deciding; <c>self</c> always does.</summary>
    [Required]
    public string[] BlockingRelationKinds { get; init; } = ["self", "family", "business"];

    /// <summary>Roles that may see an applicant's personal data unmasked (each look is recorded).</summary>
    [Required]
    public string[] UnmaskRoles { get; init; } = ["risk_officer", "dept_head"];

    /// <summary>A step's expected duration while there is no recent history to estimate it from.</summary>
    [Range(1, 60 * 24 * 30)]
    public int DefaultStepMinutes { get; init; } = 240;

    /// <summary>How far back decided tasks are averaged for the borrower's wait estimate.</summary>
    [Range(1, 365)]
    public int WaitEstimateDays { get; init; } = 7;
}
