using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace HeadlessLoan.Sandbox.Tests;

/// <summary>A bank callback as it arrived: when (since the receiver started), its signature headers and its body bytes.</summary>
public sealed record ReceivedCallback(TimeSpan At, string? Timestamp, string? Nonce, string? Signature, byte[] Body);

/// <summary>A notify_url on this machine that keeps every callback posted to it and answers 204.</summary>
public sealed class BankCallbackReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Task _serving;

    public BankCallbackReceiver()
    {
        var port = FreePort();
        Url = $"http://127.0.0.1:{port}/v1/webhooks/bank";
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    public string Url { get; }

    /// <summary>Time on the receiver's clock, to compare with <see cref="ReceivedCallback.At"/>.</summary>
    public TimeSpan Now => _clock.Elapsed;

    public ConcurrentQueue<ReceivedCallback> Received { get; } = new();

    /// <summary>The callbacks of one payout, once at least <paramref name="count"/> came, or what came within <paramref name="within"/>.</summary>
    public async Task<List<ReceivedCallback>> ForPayoutAsync(string payoutNo, int count, TimeSpan within)
    {
        var until = DateTime.UtcNow + within;
        while (true)
        {
            var found = Received.Where(c => BankSigning.Json(c.Body).GetProperty("payout_no").GetString() == payoutNo).ToList();
            if (found.Count >= count || DateTime.UtcNow > until)
            {
                return found;
            }

            await Task.Delay(25);
        }
    }

    private async Task ServeAsync()
    {
        while (true)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            var at = _clock.Elapsed;
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            var headers = context.Request.Headers;
            Received.Enqueue(new ReceivedCallback(at, headers["X-Bank-Timestamp"], headers["X-Bank-Nonce"], headers["X-Bank-Signature"], body.ToArray()));
            context.Response.StatusCode = 204;
            context.Response.Close();
        }
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        _listener.Close();
        _serving.Wait(TimeSpan.FromSeconds(5));
    }
}
