using System.ComponentModel.DataAnnotations;

namespace HeadlessLoan.Api.Platform.Auth;

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
