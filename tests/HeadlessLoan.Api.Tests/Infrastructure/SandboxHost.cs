extern alias sandbox;

using System.Net;
using System.Net.Sockets;
using sandbox::HeadlessLoan.Sandbox;
using WireMock.Server;

namespace HeadlessLoan.Api.Tests.Infrastructure;

/// <summary>The real sandbox (the WireMock server integrators use), on a free loopback port.</summary>
public sealed class SandboxHost : IDisposable
{
    private readonly WireMockServer _server = SandboxServer.Start(FreePort());

    public string Url => _server.Urls[0];

    /// <summary>Requests the sandbox received, for asserting what the service sent to outside parties.</summary>
    public WireMockServer Server => _server;

    public void Dispose() => _server.Stop();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
