using System.Text.Json;
using System.Text.Json.Nodes;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace HeadlessLoan.Sandbox.WeChatPay;

/// <summary>
/// The sandbox playing WeChat Pay v3 (docs/sandbox.md): JSAPI orders, query, close, refunds and their query, each
/// request's signature checked, each answer signed, and the payment notification sent to the order's notify_url as
/// the order's amount says. These answers need code (signatures, state), so they are registered here, not as files.
/// </summary>
internal sealed class WeChatPaySandbox
{
    /// <summary>How many mappings <see cref="Register"/> adds.</summary>
    public const int MappingCount = 6;

    private readonly WeChatPaySandboxSigning _signing;
    private readonly WeChatPaySandboxNotifier _notifier;
    private readonly WeChatPaySandboxOrders _orders = new();

    private WeChatPaySandbox(WeChatPaySandboxKeys keys, TimeProvider clock)
    {
        _signing = new WeChatPaySandboxSigning(keys, clock);
        _notifier = new WeChatPaySandboxNotifier(_signing, clock);
    }

    public static void Register(WireMockServer server, WeChatPaySandboxKeys keys, TimeProvider clock)
    {
        var sandbox = new WeChatPaySandbox(keys, clock);
        var orders = new WeChatPaySandboxOrderApi(sandbox._signing, sandbox._notifier, sandbox._orders, clock);
        var refunds = new WeChatPaySandboxRefundApi(sandbox._signing, sandbox._notifier, sandbox._orders, clock);
        Map(server, "WeChat Pay: POST /v3/pay/transactions/jsapi, a JSAPI order", "POST", "/v3/pay/transactions/jsapi", sandbox.Signed(orders.Create));
        Map(server, "WeChat Pay: GET /v3/pay/transactions/out-trade-no/{out_trade_no}, the order's state", "GET",
            "/v3/pay/transactions/out-trade-no/*", sandbox.Signed(orders.Query));
        Map(server, "WeChat Pay: POST /v3/pay/transactions/out-trade-no/{out_trade_no}/close, 204 or refused", "POST",
            "/v3/pay/transactions/out-trade-no/*/close", sandbox.Signed(orders.Close));
        Map(server, "WeChat Pay: POST /v3/refund/domestic/refunds, a refund (PROCESSING, then SUCCESS)", "POST",
            "/v3/refund/domestic/refunds", sandbox.Signed(refunds.Create));
        Map(server, "WeChat Pay: GET /v3/refund/domestic/refunds/{out_refund_no}, the refund's state", "GET",
            "/v3/refund/domestic/refunds/*", sandbox.Signed(refunds.Query));
        Map(server, "WeChat Pay sandbox: POST /sandbox/wechatpay/notifications/resend, a paid order's notification again", "POST",
            "/sandbox/wechatpay/notifications/resend", orders.ResendAsync);
    }

    private static void Map(WireMockServer server, string title, string method, string path, Func<IRequestMessage, Task<IResponseMessage>> answer) =>
        server.Given(Request.Create().WithPath(path).UsingMethod(method))
            .WithTitle(title)
            .AtPriority(50)
            .RespondWith(Response.Create().WithCallback(answer));

    /// <summary>Refuses a request whose signature does not hold (401 SIGN_ERROR, signed like any answer), else answers it.</summary>
    private Func<IRequestMessage, Task<IResponseMessage>> Signed(Func<IRequestMessage, string, IResponseMessage> answer) => request =>
        Task.FromResult(_signing.RequestRefusal(request, out var mchId) is { } refusal
            ? _signing.Answer(401, Error("SIGN_ERROR", "签名错误(沙箱): " + refusal))
            : answer(request, mchId!));

    public static string Error(string code, string message) => new JsonObject { ["code"] = code, ["message"] = message }.ToJsonString();

    /// <summary>The request's JSON object, or null when the body is not one.</summary>
    public static JsonElement? BodyObject(IRequestMessage request)
    {
        try
        {
            using var document = JsonDocument.Parse(WeChatPaySandboxSigning.BodyText(request));
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static string? String(JsonElement body, string name) =>
        body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public static long? Fen(JsonElement body, string parent, string name) =>
        body.TryGetProperty(parent, out var amount) && amount.ValueKind == JsonValueKind.Object
        && amount.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var fen)
            ? fen
            : null;

    /// <summary>The last path segment before <paramref name="suffix"/>, unescaped.</summary>
    public static string Segment(IRequestMessage request, string suffix = "")
    {
        var path = request.Path[..^suffix.Length];
        return Uri.UnescapeDataString(path[(path.LastIndexOf('/') + 1)..]);
    }
}
