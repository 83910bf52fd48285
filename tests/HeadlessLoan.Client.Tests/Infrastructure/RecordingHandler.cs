using System.Collections.Concurrent;

namespace HeadlessLoan.Client.Tests.Infrastructure;

/// <summary>Passes requests on to the network and keeps what was sent, to check what went over the wire.</summary>
public sealed class RecordingHandler() : DelegatingHandler(new HttpClientHandler())
{
    public ConcurrentQueue<(HttpRequestMessage Request, string? Body)> Sent { get; } = new();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        Sent.Enqueue((request, body));
        return await base.SendAsync(request, cancellationToken);
    }
}
