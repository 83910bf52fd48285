using HeadlessLoan.Api.Platform.Auth;

namespace HeadlessLoan.Api.Features.Channels;

/// <summary>The channel behind a presented API key, for the platform's API-key scheme.</summary>
public sealed class ChannelApiKeyCallers(ChannelStore channels) : IApiKeyCallers
{
    public async Task<ApiKeyCaller?> FindAsync(string presentedKey, CancellationToken ct)
    {
        if (!ApiKeys.LooksValid(presentedKey))
        {
            return null;
        }

        return await channels.FindActiveKeyAsync(ApiKeys.Hash(presentedKey), ct);
    }
}
