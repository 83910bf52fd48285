using System.ComponentModel.DataAnnotations;
using HeadlessLoan.Domain.Decisions;

namespace HeadlessLoan.Api.Features.Intake;

/// <summary>The intake rules in force; <see cref="PolicyVersion"/> is recorded with every decision.</summary>
public sealed class DecisionOptions
{
    public const string Section = "Decisions";

    [Required]
    [StringLength(32, MinimumLength = 1)]
    public string PolicyVersion { get; init; } = "intake-2026.1";

    [Range(300, 850)]
    public int MinBureauScore { get; init; } = 550;

    [Range(300, 850)]
    public int AutoApproveMinScore { get; init; } = 650;

    [Range(0, 100)]
    public int MaxOverdueRecordsForAutoApproval { get; init; }

    [Range(0, 100)]
    public int MaxRecentInquiriesForAutoApproval { get; init; } = 4;

    /// <summary>Distinct applicants on one device fingerprint (within Fraud:WindowDays) that count as a fraud hit.</summary>
    [Range(2, 1000)]
    public int MaxBorrowersPerDevice { get; init; } = 3;

    /// <summary>More applications than this with one ID number or card (within Fraud:WindowDays) is a fraud hit.</summary>
    [Range(1, 1_000_000)]
    public int MaxApplicationsPerIdentity { get; init; } = 3;

    /// <summary>
    /// A borrower's application for no more than their free credit line (and no loan of theirs overdue) is not sent to
    /// people for being above the product's automatic-approval limit. Changing it is a new <see cref="PolicyVersion"/>.
    /// </summary>
    public bool FastTrackWithinCreditLine { get; init; } = true;

    public DecisionPolicy ToPolicy() => new(PolicyVersion, MinBureauScore, AutoApproveMinScore, MaxOverdueRecordsForAutoApproval,
        MaxRecentInquiriesForAutoApproval, MaxBorrowersPerDevice, MaxApplicationsPerIdentity, FastTrackWithinCreditLine);
}

public sealed class PipelineOptions
{
    public const string Section = "Pipeline";

    /// <summary>Run the intake worker in this process (the default); a separate worker process turns it off here.</summary>
    public bool Enabled { get; init; } = true;

    [Range(10, 60_000)]
    public int PollMilliseconds { get; init; } = 100;

    [Range(1, 500)]
    public int BatchSize { get; init; } = 32;

    /// <summary>A claim not finished within this time (a crashed worker) is taken by another.</summary>
    [Range(5, 3600)]
    public int LeaseSeconds { get; init; } = 60;

    /// <summary>Failed attempts at deciding one application before it is parked as <c>intake_failed</c> for staff.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; init; } = 5;

    /// <summary>The wait after a failed attempt, times the attempts so far, before the application is tried again.</summary>
    [Range(0, 3600)]
    public int RetryDelaySeconds { get; init; } = 30;
}
