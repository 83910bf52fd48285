using System.ComponentModel.DataAnnotations;
using HeadlessLoan.Api.Platform.Database;
using Microsoft.Extensions.Options;

namespace HeadlessLoan.Api.Features.Staff;

/// <summary>Creates the first admin from configuration when no staff exist yet; never touches a populated table.</summary>
public sealed partial class AdminBootstrap(StaffStore staff, IOptions<BootstrapOptions> options, ILogger<AdminBootstrap> logger) : IStartupSeed
{
    public async Task SeedAsync(CancellationToken ct)
    {
        var o = options.Value;
        if (string.IsNullOrEmpty(o.AdminUsername) || string.IsNullOrEmpty(o.AdminPassword))
        {
            return;
        }

        if (await staff.CreateFirstAdminAsync(o.AdminUsername, o.AdminPassword, ct))
        {
            LogCreated(logger, o.AdminUsername);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Created the first admin account {Username} from configuration; change its password.")]
    private static partial void LogCreated(ILogger logger, string username);
}

/// <summary>The first admin, created on an empty staff table only.</summary>
public sealed class BootstrapOptions : IValidatableObject
{
    public const string Section = "Bootstrap";

    public string? AdminUsername { get; init; }

    public string? AdminPassword { get; init; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrEmpty(AdminUsername) != string.IsNullOrEmpty(AdminPassword))
        {
            yield return new ValidationResult("Bootstrap:AdminUsername and Bootstrap:AdminPassword must be set together.");
        }

        if (AdminPassword is { Length: > 0 and < StaffRules.MinPasswordLength })
        {
            yield return new ValidationResult($"Bootstrap:AdminPassword must be at least {StaffRules.MinPasswordLength} characters.");
        }
    }
}
