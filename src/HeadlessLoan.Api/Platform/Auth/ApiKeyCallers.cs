namespace HeadlessLoan.Api.Platform.Auth;

/// <summary>The channel an active API key belongs to.</summary>
public sealed record ApiKeyCaller(Guid ChannelId, string ChannelName, Guid KeyId, int RateLimitPerMinute);

/// <summary>Finds who a presented API key belongs to; implemented by the feature that issues keys.</summary>
public interface IApiKeyCallers
{
    /// <summary>The key's channel, or null when the key is malformed, unknown or revoked.</summary>
    Task<ApiKeyCaller?> FindAsync(string presentedKey, CancellationToken ct);
}
