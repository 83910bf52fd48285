using System.Net;
using System.Net.Sockets;
using WireMock.Server;

namespace HeadlessLoan.Sandbox.Tests;

/// <summary>One sandbox per test class, on a free loopback port, reached over real HTTP.</summary>
public sealed class SandboxFixture : IDisposable
{
    public SandboxFixture()
    {
        Port = FreeLoopbackPort();
        Server = SandboxServer.Start(Port);
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Port}") };
    }

    public int Port { get; }

    public WireMockServer Server { get; }

    public HttpClient Client { get; }

    public static string MappingsDirectory => Path.Combine(AppContext.BaseDirectory, "mappings");

    public static int FreeLoopbackPort()
    {
        // Port 0 lets the OS choose; the listener is closed right away so the sandbox can take the port.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public void Dispose()
    {
        Client.Dispose();
        Server.Stop();
        Server.Dispose();
    }
}
