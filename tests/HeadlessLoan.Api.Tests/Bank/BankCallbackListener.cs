using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using HeadlessLoan.Api.Integrations.Bank;

namespace HeadlessLoan.Api.Tests.Bank;

/// <summary>
/// A notify_url on this machine: every callback posted to it is verified with the service's verifier and answered as
/// the endpoint would (its status code); the results are kept in arrival order.
/// </summary>
public sealed class BankCallbackListener : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly BankCallbackVerifier _verifier;
    private readonly Task _serving;

    public BankCallbackListener(BankCallbackVerifier verifier)
    {
        _verifier = verifier;
        var port = FreePort();
        Url = $"http://127.0.0.1:{port}/v1/webhooks/bank";
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    public string Url { get; }

    public ConcurrentQueue<BankCallbackResult> Received { get; } = new();

    /// <summary>The accepted callbacks of one payout, once at least <paramref name="count"/> came, or what came within <paramref name="within"/>.</summary>
    public async Task<List<PayoutResult>> ForPayoutAsync(string payoutNo, int count, TimeSpan within)
    {
        var until = DateTime.UtcNow + within;
        while (true)
        {
            var found = Received.Where(r => r.Payout?.PayoutNo == payoutNo).Select(r => r.Payout!).ToList();
            if (found.Count >= count || DateTime.UtcNow > until)
            {
                return found;
            }

            await Task.Delay(50);
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

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            var headers = context.Request.Headers;
            var result = _verifier.Verify(body.ToArray(), new BankSignatureHeaders(headers[BankSignatureHeaders.TimestampHeader],
                headers[BankSignatureHeaders.NonceHeader], headers[BankSignatureHeaders.SignatureHeader]));
            Received.Enqueue(result);
            context.Response.StatusCode = result.StatusCode;
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
