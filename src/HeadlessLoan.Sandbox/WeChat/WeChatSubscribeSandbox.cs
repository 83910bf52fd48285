using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Web;
using HeadlessLoan.Sandbox.Outbox;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace HeadlessLoan.Sandbox.WeChat;

/// <summary>
/// The sandbox playing WeChat's <c>POST /cgi-bin/message/subscribe/send</c> (docs/sandbox.md, Subscribe messages): the
/// access token must be one the sandbox issued; an openid made from a <c>sandbox_subscribe_&lt;errcode&gt;_…</c> login code
/// is refused with that errcode; any other message is checked against WeChat's value rules (47003 naming the field) and,
/// when it passes, kept in the outbox. Code, not a mapping file: it checks every value and keeps what it accepts.
/// </summary>
internal sealed partial class WeChatSubscribeSandbox(SandboxTemplateHelpers helpers, SandboxOutbox outbox, TimeProvider clock)
{
    /// <summary>How many mappings <see cref="Register"/> adds.</summary>
    public const int MappingCount = 1;

    public static void Register(WireMockServer server, SandboxTemplateHelpers helpers, SandboxOutbox outbox, TimeProvider clock)
    {
        var sandbox = new WeChatSubscribeSandbox(helpers, outbox, clock);
        server.Given(Request.Create().WithPath("/cgi-bin/message/subscribe/send").UsingPost())
            .WithTitle("WeChat POST /cgi-bin/message/subscribe/send: a sandbox access token, openids of sandbox_subscribe_<errcode>_ codes refused, values checked")
            .AtPriority(50)
            .RespondWith(Response.Create().WithCallback(sandbox.Answer));
    }

    private ResponseMessage Answer(IRequestMessage request)
    {
        if (TokenRefusal(request) is { } refused)
        {
            return refused;
        }

        if (Body(request) is not { } body)
        {
            return Error(47001, "data format error");
        }

        var toUser = String(body, "touser");
        if (string.IsNullOrEmpty(toUser))
        {
            return Error(40003, "invalid openid");
        }

        if (string.IsNullOrEmpty(String(body, "template_id")))
        {
            return Error(40037, "invalid template_id");
        }

        if (body.TryGetProperty("page", out var page) && (page.ValueKind != JsonValueKind.String || page.GetString()!.Length == 0))
        {
            return Error(41030, "invalid page");
        }

        if (RefusingOpenId().Match(toUser) is { Success: true } magic)
        {
            var errcode = int.Parse(magic.Groups["errcode"].Value, CultureInfo.InvariantCulture);
            return Error(errcode, errcode switch
            {
                43101 => "user refuse to accept the msg",
                47003 => "argument invalid! data.thing1.value invalid",
                _ => "invalid openid",
            });
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (DataRefusal(body, values) is { } invalid)
        {
            return invalid;
        }

        var messageId = RandomNumberGenerator.GetInt32(1, int.MaxValue) * 1000L + RandomNumberGenerator.GetInt32(1000);
        outbox.Add(new OutboxEntry(SandboxOutbox.WeChatSubscribe, toUser, String(body, "template_id")!, values, OutId: null,
            messageId.ToString(CultureInfo.InvariantCulture), clock.GetUtcNow(), AnswerLost: false));
        return SandboxResponses.Json(200, new JsonObject { ["errcode"] = 0, ["errmsg"] = "ok", ["msgid"] = messageId });
    }

    /// <summary>WeChat's answer to a missing, expired or foreign access token; null when the token is one the sandbox issued.</summary>
    private ResponseMessage? TokenRefusal(IRequestMessage request)
    {
        var token = HttpUtility.ParseQueryString(request.RawQuery ?? "")["access_token"];
        return token switch
        {
            null or "" => Error(41001, "access_token missing"),
            "sandbox_expired_token" => Error(42001, "access_token expired"),
            "sandbox_invalid_token" => Error(40001, "invalid credential, access_token is invalid or not latest"),
            _ when helpers.TokenAppId(token) == SandboxTemplateHelpers.UnknownTokenAppId => Error(40001, "invalid credential, access_token is invalid or not latest"),
            _ => null,
        };
    }

    /// <summary>Reads the data's values into <paramref name="values"/>; WeChat's 47003 naming the first field that breaks its rules, or null.</summary>
    private ResponseMessage? DataRefusal(JsonElement body, Dictionary<string, string> values)
    {
        if (!body.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
        {
            return Error(47003, "argument invalid! data is empty");
        }

        foreach (var field in data.EnumerateObject())
        {
            if (field.Value.ValueKind != JsonValueKind.Object || !field.Value.TryGetProperty("value", out var value) || value.ValueKind != JsonValueKind.String)
            {
                return Error(47003, $"argument invalid! data.{field.Name}.value is not a string");
            }

            if (WeChatSubscribeValueRules.Problem(field.Name, value.GetString()!) is { } problem)
            {
                return Error(47003, $"argument invalid! data.{field.Name}.value {problem}");
            }

            values[field.Name] = value.GetString()!;
        }

        return null;
    }

    private ResponseMessage Error(int errcode, string errmsg) =>
        SandboxResponses.Json(200, new JsonObject { ["errcode"] = errcode, ["errmsg"] = $"{errmsg} rid: {helpers.Rid()}" });

    private static JsonElement? Body(IRequestMessage request)
    {
        try
        {
            var text = request.Body ?? (request.BodyAsBytes is { } bytes ? Encoding.UTF8.GetString(bytes) : "");
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? String(JsonElement body, string name) =>
        body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>The openid a <c>sandbox_subscribe_&lt;errcode&gt;_</c> login code names (<see cref="SandboxTemplateHelpers.SubscribeOpenId"/>).</summary>
    [GeneratedRegex("^osbx(?<errcode>43101|47003|40003)_")]
    private static partial Regex RefusingOpenId();
}
