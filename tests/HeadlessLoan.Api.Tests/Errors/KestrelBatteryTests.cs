using System.Net.Sockets;
using System.Text;
using HeadlessLoan.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace HeadlessLoan.Api.Tests.Errors;

/// <summary>The service behind real Kestrel on a loopback port, for requests no HTTP client library would send.</summary>
public sealed class KestrelFactory : ApiFactory
{
    public KestrelFactory() => UseKestrel(0);

    public override Task InitializeAsync()
    {
        StartServer();
        return Task.CompletedTask;
    }

    public int Port => new Uri(Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
}

/// <summary>
/// Requests written byte by byte to Kestrel: a NUL, control characters or bytes that are not UTF-8 in the path or in
/// a header, a request line or headers over Kestrel's limits, contradictory framing. Kestrel refuses many of them itself,
/// before the service sees them, with a bare status and no body (as the contract's description of errors says); the
/// rest reach the service. Either way the answer is below 500, and whatever has a body is a problem.
/// </summary>
public sealed class KestrelBatteryTests(KestrelFactory api) : IClassFixture<KestrelFactory>
{
    private const string Quote = """{"principal": 100000, "annualRate": 0.05, "termMonths": 12, "method": "equal_installment"}""";

    public static TheoryData<string, byte[]> Requests()
    {
        var data = new TheoryData<string, byte[]>();
        void Add(string name, string requestLine, string headers = "", string body = "", bool host = true) =>
            data.Add(name, Bytes(requestLine, headers, body, host));

        Add("an encoded NUL in the path", "GET /v1/products/%00 HTTP/1.1");
        Add("an encoded NUL inside a uuid", $"GET /v1/products/{Guid.NewGuid().ToString()[..8]}%00 HTTP/1.1");
        Add("a raw control character in the path", "GET /v1/products/\u0001 HTTP/1.1");
        Add("an invalid escape in the path", "GET /v1/products/%ZZ HTTP/1.1");
        Add("a lone percent sign in the path", "GET /v1/products/% HTTP/1.1");
        Add("overlong UTF-8 in the path", "GET /v1/products/%C0%AF HTTP/1.1");
        Add("an encoded surrogate in the path", "GET /v1/products/%ED%A0%80 HTTP/1.1");
        Add("an encoded slash in the path", "GET /v1/products/a%2Fb HTTP/1.1");
        Add("dot segments climbing out of the path", "GET /v1/products/../../../etc/passwd HTTP/1.1");
        Add("a query with an encoded NUL", "GET /v1/applications?after=%00 HTTP/1.1");
        Add("a query with bytes that are not UTF-8", "GET /v1/applications?after=%FF%FE HTTP/1.1");
        Add("a request line over 8 KB", $"GET /v1/products/{new string('a', 9000)} HTTP/1.1");
        Add("a header over 32 KB", "GET /v1/products HTTP/1.1", $"X-Junk: {new string('j', 40_000)}\r\n");
        Add("a header without a colon", "GET /v1/products HTTP/1.1", "NoColonHere\r\n");
        Add("a header name with a space", "GET /v1/products HTTP/1.1", "Bad Name: x\r\n");
        Add("a method that is not a token", "G@T /v1/products HTTP/1.1");
        Add("no Host header", "GET /v1/products HTTP/1.1", host: false);
        Add("two different Content-Lengths", "POST /v1/schedules/quote HTTP/1.1",
            $"Content-Type: application/json\r\nContent-Length: {Quote.Length}\r\nContent-Length: 3\r\n", Quote);
        Add("Content-Length beside chunked", "POST /v1/schedules/quote HTTP/1.1",
            $"Content-Type: application/json\r\nContent-Length: {Quote.Length}\r\nTransfer-Encoding: chunked\r\n", Quote);
        Add("a chunk size that is not hex", "POST /v1/schedules/quote HTTP/1.1",
            "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n", "zz\r\n{}\r\n0\r\n\r\n");
        Add("an unknown transfer coding", "POST /v1/schedules/quote HTTP/1.1",
            $"Content-Type: application/json\r\nTransfer-Encoding: gzip\r\nContent-Length: {Quote.Length}\r\n", Quote);
        Add("an Idempotency-Key in UTF-8", "POST /v1/schedules/quote HTTP/1.1",
            $"Content-Type: application/json\r\nIdempotency-Key: ключ-🔑\r\nContent-Length: {Quote.Length}\r\n", Quote);

        // Raw bytes no string can carry: not UTF-8 in a header and in the path, NUL in a header.
        data.Add("a header with bytes that are not UTF-8", Splice(Bytes("GET /v1/products HTTP/1.1", "X-Device-Fingerprint: @@\r\n"), [0xFF, 0xC0, 0xAF]));
        data.Add("a header with a NUL byte", Splice(Bytes("GET /v1/products HTTP/1.1", "Idempotency-Key: @@\r\n"), [(byte)'a', 0x00, (byte)'b']));
        data.Add("raw UTF-8 in the path", Splice(Bytes("GET /v1/products/@@ HTTP/1.1"), Encoding.UTF8.GetBytes("🔑")));
        data.Add("raw bytes that are not UTF-8 in the path", Splice(Bytes("GET /v1/products/@@ HTTP/1.1"), [0xC0, 0xAF]));
        return data;
    }

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task KestrelOrTheServiceRefusesWithoutA500(string name, byte[] request)
    {
        var (status, contentType, body) = await SendRawAsync(request);

        Assert.True(status is > 0 and < 500, $"{name}: {status} {body}");
        if (status >= 400 && body.Length > 0)
        {
            // The service answered: an RFC 9457 problem, as everywhere.
            Assert.True(contentType?.StartsWith(TestHttp.ProblemMediaType, StringComparison.Ordinal) == true, $"{name}: {status} {contentType} {body}");
        }
    }

    [Fact]
    public async Task AnHttpVersionKestrelDoesNotSpeakIsKestrelsOwn505()
    {
        // The one 5xx of the battery: Kestrel's, before any of the service runs, as the contract's description says.
        var (status, _, body) = await SendRawAsync(Bytes("GET /v1/products HTTP/9.9"));

        Assert.Equal(505, status);
        Assert.Equal("", body);
    }

    private static byte[] Bytes(string requestLine, string headers = "", string body = "", bool host = true) =>
        Encoding.UTF8.GetBytes($"{requestLine}\r\n{(host ? "Host: 127.0.0.1\r\n" : "")}{headers}Connection: close\r\n\r\n{body}");

    private static byte[] Splice(byte[] request, byte[] bytes)
    {
        var at = request.AsSpan().IndexOf("@@"u8);
        return [.. request[..at], .. bytes, .. request[(at + 2)..]];
    }

    private async Task<(int Status, string? ContentType, string Body)> SendRawAsync(byte[] request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", api.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(request);
        using var reader = new MemoryStream();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await stream.CopyToAsync(reader, timeout.Token);
        }
        catch (IOException)
        {
            // Kestrel may reset the connection after a refusal it has already written.
        }

        var text = Encoding.UTF8.GetString(reader.ToArray());
        var headerEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = headerEnd < 0 ? text : text[..headerEnd];
        var lines = head.Split("\r\n");
        var status = lines[0].Split(' ') is [_, var code, ..] && int.TryParse(code, out var s) ? s : 0;
        var contentType = lines.Skip(1).FirstOrDefault(l => l.StartsWith("Content-Type:", StringComparison.OrdinalIgnoreCase))?[13..].Trim();
        var body = headerEnd < 0 ? "" : text[(headerEnd + 4)..];
        return (status, contentType, body);
    }
}
