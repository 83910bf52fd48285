using System.ComponentModel.DataAnnotations;
using HeadlessLoan.Api.Platform;
using HeadlessLoan.Domain.Reminders;

namespace HeadlessLoan.Api.Features.Contact;

/// <summary>The contact rules in force (section <c>Contact</c>), the same for reminders and collectors.</summary>
[FeatureApi]
public sealed class ContactOptions
{
    public const string Section = "Contact";

    /// <summary>Quiet hours, China time: no contact from <see cref="QuietFrom"/> until <see cref="QuietUntil"/>.</summary>
    public TimeOnly QuietFrom { get; init; } = new(22, 0);

    public TimeOnly QuietUntil { get; init; } = new(8, 0);

    /// <summary>Connected calls a borrower gets a day at most, across every channel and agent.</summary>
    [Range(0, 20)]
    public int MaxConnectedCallsPerDay { get; init; } = 3;

    /// <summary>The voice provider's limits per called number.</summary>
    [Range(1, 60)]
    public int MaxCallsPerMinute { get; init; } = 1;

    [Range(1, 100)]
    public int MaxCallsPerHour { get; init; } = 5;

    [Range(1, 500)]
    public int MaxCallsPerDay { get; init; } = 20;

    public ContactRules Rules() => new()
    {
        QuietFrom = QuietFrom,
        QuietUntil = QuietUntil,
        MaxConnectedCallsPerDay = MaxConnectedCallsPerDay,
        MaxCallsPerMinute = MaxCallsPerMinute,
        MaxCallsPerHour = MaxCallsPerHour,
        MaxCallsPerDay = MaxCallsPerDay,
    };
}
