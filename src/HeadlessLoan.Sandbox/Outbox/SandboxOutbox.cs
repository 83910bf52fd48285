using System.Globalization;
using System.Text.Json.Nodes;
using System.Web;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Types;
using WireMock.Util;

namespace HeadlessLoan.Sandbox.Outbox;

/// <summary>One message or call the sandbox accepted, as the outbox shows it.</summary>
internal sealed record OutboxEntry(
    string Channel, string To, string Template, IReadOnlyDictionary<string, string> Params, string? OutId, string Id,
    DateTimeOffset ReceivedAt, bool AnswerLost);

/// <summary>
/// Everything the sandbox's SMS, voice and WeChat subscribe-message parties accepted, by recipient, shown at
/// <c>GET /sandbox/outbox?to=&lt;phone or openid&gt;</c>: so an integrator or a test can see a reminder went out exactly
/// once, including one whose answer was lost. In memory, bounded so a sandbox left running cannot grow without limit.
/// </summary>
internal sealed class SandboxOutbox
{
    /// <summary>How many mappings <see cref="Register"/> adds.</summary>
    public const int MappingCount = 1;

    public const string Sms = "sms";
    public const string Voice = "voice";
    public const string WeChatSubscribe = "wechat_subscribe";

    private const int MaxEntries = 10_000;
    private static readonly TimeSpan ChinaOffset = TimeSpan.FromHours(8);

    private readonly Lock _lock = new();
    private readonly List<OutboxEntry> _entries = [];

    public void Add(OutboxEntry entry)
    {
        lock (_lock)
        {
            if (_entries.Count >= MaxEntries)
            {
                _entries.Clear();
            }

            _entries.Add(entry);
        }
    }

    public IReadOnlyList<OutboxEntry> For(string to)
    {
        lock (_lock)
        {
            return _entries.Where(e => e.To == to).ToList();
        }
    }

    public void Register(WireMockServer server) =>
        server.Given(Request.Create().WithPath("/sandbox/outbox").UsingGet())
            .WithTitle("Sandbox: GET /sandbox/outbox?to=<phone or openid>, every SMS, voice call and subscribe message accepted for the recipient")
            .AtPriority(50)
            .RespondWith(Response.Create().WithCallback(Answer));

    private ResponseMessage Answer(IRequestMessage request)
    {
        var to = HttpUtility.ParseQueryString(request.RawQuery ?? "")["to"];
        if (string.IsNullOrEmpty(to))
        {
            return SandboxResponses.Json(400, new JsonObject { ["error"] = "the query must name the recipient: ?to=<phone number or openid>" });
        }

        var list = new JsonArray();
        foreach (var e in For(to))
        {
            var parameters = new JsonObject();
            foreach (var (key, value) in e.Params)
            {
                parameters[key] = value;
            }

            list.Add(new JsonObject
            {
                ["channel"] = e.Channel,
                ["to"] = e.To,
                ["template"] = e.Template,
                ["params"] = parameters,
                ["out_id"] = e.OutId,
                ["id"] = e.Id,
                ["received_at"] = e.ReceivedAt.ToOffset(ChinaOffset).ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture),
                ["answer_lost"] = e.AnswerLost,
            });
        }

        return SandboxResponses.Json(200, list);
    }
}

/// <summary>Answers built in code.</summary>
internal static class SandboxResponses
{
    public static ResponseMessage Json(int status, JsonNode body) => new()
    {
        StatusCode = status,
        Headers = new Dictionary<string, WireMockList<string>> { ["Content-Type"] = new("application/json; charset=utf-8") },
        BodyData = new BodyData { BodyAsString = body.ToJsonString(), DetectedBodyType = BodyType.String },
    };
}
