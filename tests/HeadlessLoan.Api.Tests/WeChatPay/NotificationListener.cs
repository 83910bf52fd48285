using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using HeadlessLoan.Api.Integrations.WeChatPay;

namespace HeadlessLoan.Api.Tests.WeChatPay;

/// <summary>
/// A notify_url on this machine: every notification posted to it is verified with the service's verifier and answered
/// as an endpoint would (204, or the refusal's 4xx and <c>{"code":"FAIL",…}</c>); the results are kept in arrival order.
/// </summary>
public sealed class NotificationListener : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly WeChatPayNotificationVerifier _verifier;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;

    public NotificationListener(WeChatPayNotificationVerifier verifier)
    {
        _verifier = verifier;
        var port = FreePort();
        Url = $"http://127.0.0.1:{port}/v1/webhooks/wechatpay";
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    public string Url { get; }

    public ConcurrentQueue<WeChatPayNotificationResult> Received { get; } = new();

    /// <summary>The results for one order, once at least <paramref name="count"/> came, or what came within <paramref name="within"/>.</summary>
    public async Task<List<WeChatPayNotificationResult>> ForOrderAsync(string outTradeNo, int count, TimeSpan within)
    {
        var until = DateTime.UtcNow + within;
        while (true)
        {
            var found = Received.Where(r => r.Transaction?.OutTradeNumber == outTradeNo || r.Refund?.OutTradeNumber == outTradeNo).ToList();
            if (found.Count >= count || DateTime.UtcNow > until)
            {
                return found;
            }

            await Task.Delay(50);
        }
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
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
            var headers = new WeChatPaySignatureHeaders(context.Request.Headers[WeChatPaySignatureHeaders.TimestampHeader],
                context.Request.Headers[WeChatPaySignatureHeaders.NonceHeader], context.Request.Headers[WeChatPaySignatureHeaders.SignatureHeader],
                context.Request.Headers[WeChatPaySignatureHeaders.SerialHeader]);
            var result = _verifier.Verify(body.ToArray(), headers);
            Received.Enqueue(result);
            context.Response.StatusCode = result.StatusCode;
            if (result.FailBody is { } fail)
            {
                context.Response.ContentType = "application/json";
                await context.Response.OutputStream.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(fail));
            }

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
        _stop.Cancel();
        _listener.Close();
        _serving.Wait(TimeSpan.FromSeconds(5));
        _stop.Dispose();
    }
}
