using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace HeadlessLoan.Api.Tests.Faults;

/// <summary>
/// A relay on a free loopback port to a server on another, whose connections a test cuts on the client's side only:
/// the client sees its connection break while the server keeps its side open, as when a network drops a connection
/// without the server noticing. New connections are relayed as before.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<(TcpClient Client, TcpClient Server)> _relayed = new();
    private readonly ConcurrentQueue<TcpClient> _serverSidesOfCut = new();
    private readonly Task _accepting;

    public TcpProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Closes every relayed connection's client side; the server sides stay open, and silent.</summary>
    public void CutClients()
    {
        while (_relayed.TryDequeue(out var pair))
        {
            pair.Client.Client.Close();
            _serverSidesOfCut.Enqueue(pair.Server);
        }
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                var server = new TcpClient();
                await server.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
                _relayed.Enqueue((client, server));
                _ = RelayAsync(client, server);
                _ = RelayAsync(server, client);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>
    /// Copies one direction; a side that ends its sending is passed on as such, but a side the test cut is not (the
    /// server's side stays open).
    /// </summary>
    private async Task RelayAsync(TcpClient from, TcpClient to)
    {
        try
        {
            await from.GetStream().CopyToAsync(to.GetStream(), _stop.Token);
            to.Client.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException or InvalidOperationException or SocketException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        foreach (var (client, server) in _relayed)
        {
            client.Dispose();
            server.Dispose();
        }

        foreach (var server in _serverSidesOfCut)
        {
            server.Dispose();
        }

        _stop.Dispose();
    }
}
