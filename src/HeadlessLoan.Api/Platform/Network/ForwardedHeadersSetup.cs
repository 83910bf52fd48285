using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace HeadlessLoan.Api.Platform.Network;

/// <summary>The proxies whose <c>X-Forwarded-For</c> / <c>X-Forwarded-Proto</c> are believed; none unless configured.</summary>
public sealed class NetworkOptions
{
    public const string Section = "Network";

    /// <summary>Addresses (<c>10.0.0.5</c>) or networks (<c>10.0.0.0/8</c>) of the reverse proxies in front of the service.</summary>
    public IReadOnlyList<string> TrustedProxies { get; init; } = [];
}

/// <summary>
/// Where the service stands behind reverse proxies, the client address every limit, consent record and fraud signal uses
/// (<see cref="ClientAddress"/>) is the forwarded one — but only when the request comes from a configured proxy: anyone
/// else can write <c>X-Forwarded-For</c>. Nothing is trusted by default, loopback included.
/// </summary>
public static class ForwardedHeadersSetup
{
    public static IServiceCollection AddForwardedClientAddress(this IServiceCollection services, IConfiguration configuration)
    {
        var proxies = configuration.GetSection(NetworkOptions.Section).Get<NetworkOptions>()?.TrustedProxies ?? [];
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var proxy in proxies)
            {
                if (System.Net.IPNetwork.TryParse(proxy, out var network) && proxy.Contains('/', StringComparison.Ordinal))
                {
                    o.KnownIPNetworks.Add(network);
                }
                else if (IPAddress.TryParse(proxy, out var address))
                {
                    o.KnownProxies.Add(address);
                }
                else
                {
                    throw new InvalidOperationException($"Network:TrustedProxies: '{proxy}' is neither an address nor a network (a.b.c.d/n).");
                }
            }

            // Each trusted proxy in a chain is one hop: the first address no trusted proxy vouches for is the client's.
            o.ForwardLimit = null;
        });
        return services;
    }

    /// <summary>
    /// Only where proxies are configured: with no known proxy the framework's middleware would believe the headers from
    /// anyone, so without one it is not used at all.
    /// </summary>
    public static IApplicationBuilder UseForwardedClientAddress(this IApplicationBuilder app, IConfiguration configuration)
    {
        var proxies = configuration.GetSection(NetworkOptions.Section).Get<NetworkOptions>()?.TrustedProxies ?? [];
        return proxies.Count > 0 ? app.UseForwardedHeaders() : app;
    }
}
