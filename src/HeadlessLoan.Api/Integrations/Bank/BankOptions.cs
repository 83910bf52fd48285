using System.ComponentModel.DataAnnotations;
using System.Text;
using HeadlessLoan.Api.Platform.Http;

namespace HeadlessLoan.Api.Integrations.Bank;

/// <summary>
/// Our merchant account at the payout bank (代付). Bound from configuration and read through <c>IOptionsMonitor</c>, so
/// a rotated secret is used from the next call on, without a release.
/// </summary>
public sealed record BankOptions : UpstreamResilienceSettings
{
    public const string Section = "Bank";

    /// <summary>Shorter secrets are refused at start: an HMAC key is only as strong as it is long.</summary>
    public const int MinimumSecretLength = 16;

    /// <summary>The bank's payout API; the sandbox in development and tests.</summary>
    [Required(ErrorMessage = "Bank:BaseUrl is required (the payout bank's API, or the sandbox).")]
    [Url(ErrorMessage = "Bank:BaseUrl must be an absolute URL.")]
    public string BaseUrl { get; init; } = "";

    /// <summary>Our merchant id at the bank, sent as <c>X-Bank-Merchant</c> and <c>merchant_id</c>.</summary>
    [Required(ErrorMessage = "Bank:MerchantId is required (our merchant id at the bank).")]
    public string MerchantId { get; init; } = "";

    /// <summary>Signs our requests (HMAC-SHA256 over its UTF-8 bytes).</summary>
    [Required(ErrorMessage = "Bank:ApiSecret is required (the secret our requests are signed with).")]
    [MinLength(MinimumSecretLength, ErrorMessage = "Bank:ApiSecret must be at least 16 characters.")]
    public string ApiSecret { get; init; } = "";

    /// <summary>The secret the bank signs its answers and callbacks with.</summary>
    [Required(ErrorMessage = "Bank:CallbackSecret is required (the secret the bank signs answers and callbacks with).")]
    [MinLength(MinimumSecretLength, ErrorMessage = "Bank:CallbackSecret must be at least 16 characters.")]
    public string CallbackSecret { get; init; } = "";

    /// <summary>
    /// While the bank moves to a new callback secret, the old one: what it signs under either is believed. Remove it once
    /// the bank signs under the new one only; empty counts as removed, so an environment variable can clear it.
    /// </summary>
    [RegularExpression(@"^[\s\S]{16,}$", ErrorMessage = "Bank:PreviousCallbackSecret must be at least 16 characters when it is set.")]
    public string? PreviousCallbackSecret { get; init; }

    /// <summary>Where the bank posts payout callbacks (<c>/v1/webhooks/bank</c> of this service; https in production).</summary>
    [Required(ErrorMessage = "Bank:NotifyUrl is required (where the bank posts payout callbacks).")]
    [Url(ErrorMessage = "Bank:NotifyUrl must be an absolute URL.")]
    public string NotifyUrl { get; init; } = "";

    /// <summary>The callback secrets in force: the current one, then the previous one while it is set.</summary>
    public IEnumerable<string> CallbackSecrets()
    {
        yield return CallbackSecret;
        if (!string.IsNullOrEmpty(PreviousCallbackSecret))
        {
            yield return PreviousCallbackSecret;
        }
    }

    /// <summary>A record prints every property; options end up in logs and exceptions, so the secrets print as set or not.</summary>
    protected override bool PrintMembers(StringBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        base.PrintMembers(builder);
        builder.Append(", BaseUrl = ").Append(BaseUrl)
            .Append(", MerchantId = ").Append(MerchantId)
            .Append(", ApiSecret = ").Append(Shown(ApiSecret))
            .Append(", CallbackSecret = ").Append(Shown(CallbackSecret))
            .Append(", PreviousCallbackSecret = ").Append(Shown(PreviousCallbackSecret))
            .Append(", NotifyUrl = ").Append(NotifyUrl);
        return true;
    }

    private static string Shown(string? secret) => string.IsNullOrEmpty(secret) ? "(not set)" : "(set)";
}
