using HeadlessLoan.Api.Platform.Auth;

namespace HeadlessLoan.Api.Features.Channels;

/// <summary>Partner channels and their API keys; answers the platform's API-key scheme.</summary>
public static class ChannelsFeature
{
    public static WebApplicationBuilder AddChannels(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ChannelStore>();
        builder.Services.AddSingleton<IApiKeyCallers, ChannelApiKeyCallers>();
        return builder;
    }

    public static IEndpointRouteBuilder MapChannels(this IEndpointRouteBuilder app) => app.MapChannelsApi();
}
