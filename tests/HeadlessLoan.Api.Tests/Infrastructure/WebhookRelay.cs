using System.Net;
using System.Net.Sockets;

namespace HeadlessLoan.Api.Tests.Infrastructure;

/// <summary>
/// A loopback address for outside parties' callbacks (the sandbox bank, WeChat Pay) to reach the service under test,
/// which is served in memory: each request is passed on as it came (method, path, headers, body bytes) to the
/// in-memory server, and its answer is passed back.
/// </summary>
public sealed class WebhookRelay : IDisposable
{
    private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase) { "Host", "Content-Length", "Connection", "Expect", "Transfer-Encoding" };
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;

    public WebhookRelay()
    {
        var port = FreePort();
        Url = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(Url + "/");
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    /// <summary>The relay's base address; callbacks go to it with the service's own paths.</summary>
    public string Url { get; }

    /// <summary>The in-memory server's client, set once the server has started; until then callbacks are answered 503.</summary>
    public Func<HttpClient>? Target { get; set; }

    /// <summary>How many requests were passed on, by path.</summary>
    public int Forwarded => _forwarded;

    private int _forwarded;
    private int _disposed;

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

            _ = Task.Run(() => ForwardAsync(context));
        }
    }

    private async Task ForwardAsync(HttpListenerContext context)
    {
        try
        {
            if (Target is not { } target)
            {
                context.Response.StatusCode = 503;
                return;
            }

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            using var request = new HttpRequestMessage(new HttpMethod(context.Request.HttpMethod), context.Request.RawUrl)
            {
                Content = new ByteArrayContent(body.ToArray()),
            };
            foreach (var name in context.Request.Headers.AllKeys.OfType<string>().Where(n => !NotForwarded.Contains(n)))
            {
                var value = context.Request.Headers[name]!;
                if (!request.Headers.TryAddWithoutValidation(name, value))
                {
                    request.Content.Headers.TryAddWithoutValidation(name, value);
                }
            }

            using var client = target();
            using var answer = await client.SendAsync(request);
            Interlocked.Increment(ref _forwarded);
            context.Response.StatusCode = (int)answer.StatusCode;
            var bytes = await answer.Content.ReadAsByteArrayAsync();
            await context.Response.OutputStream.WriteAsync(bytes);
        }
        catch (Exception)
        {
            context.Response.StatusCode = 502;
        }
        finally
        {
            context.Response.Close();
        }
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    /// <summary>Stops the relay; a factory may dispose it more than once (synchronously and as an async fixture).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _stop.Cancel();
        _listener.Close();
        _stop.Dispose();
    }
}
