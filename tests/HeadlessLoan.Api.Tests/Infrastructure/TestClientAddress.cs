using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace HeadlessLoan.Api.Tests.Infrastructure;

/// <summary>
/// The in-memory test server has no network peer: a test names the address its request comes from with
/// <see cref="Header"/>, as a TCP connection from that address would (before the service's own middleware runs).
/// </summary>
public sealed class TestClientAddress : IStartupFilter
{
    public const string Header = "X-Test-Peer-Address";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, proceed) =>
        {
            if (context.Request.Headers.TryGetValue(Header, out var address))
            {
                context.Connection.RemoteIpAddress = IPAddress.Parse(address.ToString());
                context.Request.Headers.Remove(Header);
            }

            return proceed(context);
        });
        next(app);
    };
}
