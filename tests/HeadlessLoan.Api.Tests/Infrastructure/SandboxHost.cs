extern alias sandbox;

using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using sandbox::HeadlessLoan.Sandbox;
using sandbox::HeadlessLoan.Sandbox.Bank;
using WireMock.Server;

namespace HeadlessLoan.Api.Tests.Infrastructure;

/// <summary>
/// The real sandbox (the WireMock server integrators use), on a free loopback port. Its bank knows the published
/// TEST-ONLY merchant id with secrets of this host's own, which the service accepts outside Development.
/// </summary>
public sealed class SandboxHost : IDisposable
{
    private readonly WireMockServer _server;

    /// <param name="bankClock">The bank's time: the service's where a test holds the service to a clock of its own.</param>
    public SandboxHost(TimeProvider? bankClock = null)
    {
        _server = SandboxServer.Start(FreePort(), bank: new BankSandboxSettings
        {
            MerchantId = BankMerchantId,
            ApiSecret = BankApiSecret,
            CallbackSecret = BankCallbackSecret,
            Clock = bankClock ?? TimeProvider.System,
        });
    }

    public string Url => _server.Urls[0];

    /// <summary>Requests the sandbox received, for asserting what the service sent to outside parties.</summary>
    public WireMockServer Server => _server;

    public string BankMerchantId { get; } = BankSandboxSettings.TestOnlyMerchantId;

    public string BankApiSecret { get; } = "t-api-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    public string BankCallbackSecret { get; } = "t-callback-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    public void Dispose() => _server.Stop();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
