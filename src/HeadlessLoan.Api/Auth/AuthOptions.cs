using System.ComponentModel.DataAnnotations;
using HeadlessLoan.Api.Staff;

namespace HeadlessLoan.Api.Auth;

public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>HMAC-SHA256 key for access tokens; at least 32 characters. Production supplies its own.</summary>
    [Required(ErrorMessage = "Auth:SigningKey is required (at least 32 characters).")]
    [MinLength(32, ErrorMessage = "Auth:SigningKey must be at least 32 characters.")]
    public string SigningKey { get; init; } = "";

    [Required]
    public string Issuer { get; init; } = "headless-loan";

    [Required]
    public string Audience { get; init; } = "headless-loan";

    [Range(1, 1440, ErrorMessage = "Auth:TokenLifetimeMinutes must be between 1 and 1440.")]
    public int TokenLifetimeMinutes { get; init; } = 60;

    [Range(1, 100, ErrorMessage = "Auth:MaxFailedLogins must be between 1 and 100.")]
    public int MaxFailedLogins { get; init; } = 5;

    [Range(1, 1440, ErrorMessage = "Auth:LockoutMinutes must be between 1 and 1440.")]
    public int LockoutMinutes { get; init; } = 15;
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
