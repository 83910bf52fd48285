using System.Text.Json;
using System.Text.Json.Nodes;
using WireMock;
using static HeadlessLoan.Sandbox.WeChatPay.WeChatPaySandbox;

namespace HeadlessLoan.Sandbox.WeChatPay;

/// <summary>JSAPI orders: create (and pay, as the amount says), query, close, and a paid order's notification sent again.</summary>
internal sealed class WeChatPaySandboxOrderApi(
    WeChatPaySandboxSigning signing, WeChatPaySandboxNotifier notifier, WeChatPaySandboxOrders orders, TimeProvider clock)
{
    private static readonly TimeSpan NotifyAfter = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan NotifyLateAfter = TimeSpan.FromSeconds(5);

    public IResponseMessage Create(IRequestMessage request, string mchId)
    {
        if (BodyObject(request) is not { } body)
        {
            return signing.Answer(400, Error("PARAM_ERROR", "请求体不是JSON对象"));
        }

        if (Invalid(body, mchId) is { } invalid)
        {
            return signing.Answer(400, Error("PARAM_ERROR", invalid));
        }

        var total = Fen(body, "amount", "total")!.Value;
        var order = orders.Add(new SandboxOrder
        {
            OutTradeNo = String(body, "out_trade_no")!,
            AppId = String(body, "appid")!,
            MchId = mchId,
            NotifyUrl = String(body, "notify_url")!,
            OpenId = body.GetProperty("payer").GetProperty("openid").GetString()!,
            Attach = String(body, "attach"),
            Total = total,
            Fingerprint = WeChatPaySandboxOrders.Fingerprint(body),
            PrepayId = WeChatPaySandboxOrders.NewId("wx_sandbox_prepay_", 20),
            TransactionId = WeChatPaySandboxOrders.NewId("4200000000", 18),
            Behaviour = WeChatPaySandboxOrders.BehaviourFor(total),
        });
        if (order.Fingerprint != WeChatPaySandboxOrders.Fingerprint(body))
        {
            return signing.Answer(400, Error("INVALID_REQUEST", "201 商户订单号重复: the same out_trade_no with other parameters"));
        }

        Pay(order);
        return signing.Answer(200, new JsonObject { ["prepay_id"] = order.PrepayId }.ToJsonString());
    }

    public IResponseMessage Query(IRequestMessage request, string mchId)
    {
        var requested = request.Query is { } query && query.TryGetValue("mchid", out var values) ? values.FirstOrDefault() : null;
        if (requested != mchId)
        {
            return signing.Answer(400, Error("PARAM_ERROR", "mchid in the query must be the signing merchant's"));
        }

        return orders.Find(Segment(request)) is { } order && order.MchId == mchId
            ? signing.Answer(200, Locked(order, order.TransactionJson))
            : signing.Answer(404, Error("ORDER_NOT_EXIST", "订单不存在"));
    }

    public IResponseMessage Close(IRequestMessage request, string mchId)
    {
        if (BodyObject(request) is not { } body || String(body, "mchid") != mchId)
        {
            return signing.Answer(400, Error("PARAM_ERROR", "the body must be {\"mchid\": the signing merchant's}"));
        }

        if (orders.Find(Segment(request, "/close")) is not { } order || order.MchId != mchId)
        {
            return signing.Answer(404, Error("ORDER_NOT_EXIST", "订单不存在"));
        }

        lock (order)
        {
            if (order.TradeState is "SUCCESS" or "REFUND")
            {
                return signing.Answer(400, Error("ORDERPAID", "订单已支付"));
            }

            order.TradeState = "CLOSED";
        }

        return signing.Answer(204, null);
    }

    /// <summary>Body <c>{"out_trade_no", "variant"}</c>: sends the paid order's notification now; answers the receiver's status.</summary>
    public async Task<IResponseMessage> ResendAsync(IRequestMessage request)
    {
        var body = BodyObject(request);
        var variant = body is { } b && String(b, "variant") is { } name ? ParseVariant(name) : NotificationVariant.AsSent;
        if (body is null || String(body.Value, "out_trade_no") is not { } outTradeNo || variant is null)
        {
            return Plain(400, new JsonObject { ["error"] = "body must be {\"out_trade_no\": …, \"variant\"?: as-sent|bad-signature|stale-timestamp|signtest|unknown-serial}" });
        }

        if (orders.Find(outTradeNo) is not { } order || Locked(order, () => order.SuccessTime) is null)
        {
            return Plain(404, new JsonObject { ["error"] = "no paid order with this out_trade_no" });
        }

        var status = await notifier.SendAsync(order.NotifyUrl, PaidNotification(order), variant.Value);
        return Plain(200, new JsonObject { ["notify_url"] = order.NotifyUrl, ["status"] = status });
    }

    private void Pay(SandboxOrder order)
    {
        lock (order)
        {
            if (order.TradeState != "NOTPAY" || order.Behaviour == PaymentBehaviour.NeverPaid)
            {
                return; // A retried order, or one nobody pays.
            }

            if (order.Behaviour == PaymentBehaviour.PaymentFailed)
            {
                order.TradeState = "PAYERROR";
                return;
            }

            order.TradeState = "SUCCESS";
            order.SuccessTime = clock.GetUtcNow();
        }

        var body = PaidNotification(order);
        switch (order.Behaviour)
        {
            case PaymentBehaviour.PaidNotifiedOnce:
                notifier.SendInBackground(order.NotifyUrl, body, NotifyAfter, copies: 1);
                break;
            case PaymentBehaviour.PaidNotifiedLate:
                notifier.SendInBackground(order.NotifyUrl, body, NotifyLateAfter, copies: 1);
                break;
            case PaymentBehaviour.PaidNotifiedThrice:
                notifier.SendInBackground(order.NotifyUrl, body, NotifyAfter, copies: 3);
                break;
        }
    }

    /// <summary>The TRANSACTION.SUCCESS notification of a paid order; its event id is the same every time it is sent.</summary>
    private byte[] PaidNotification(SandboxOrder order)
    {
        var paid = Locked(order, () => (Json: order.TransactionJson(), At: order.SuccessTime!.Value));
        return WeChatPaySandboxNotifier.Body(signing.Keys.ApiV3Key, "EV-sandbox-" + order.TransactionId, "TRANSACTION.SUCCESS", "支付成功", "transaction", paid.Json, paid.At);
    }

    private static string? Invalid(JsonElement body, string mchId)
    {
        string[] required = ["appid", "mchid", "description", "out_trade_no", "notify_url"];
        if (required.FirstOrDefault(name => string.IsNullOrEmpty(String(body, name))) is { } missing)
        {
            return $"输入源“/body/{missing}”映射到值字段“{missing}”必填性规则校验失败，此字段为必填项";
        }

        if (String(body, "mchid") != mchId)
        {
            return "mchid must be the signing merchant's";
        }

        if (String(body, "out_trade_no") is not { Length: >= 6 and <= 32 })
        {
            return "out_trade_no must be 6 to 32 characters";
        }

        if (!Uri.TryCreate(String(body, "notify_url"), UriKind.Absolute, out var notify) || notify.Scheme is not ("http" or "https"))
        {
            return "notify_url must be an absolute http(s) URL";
        }

        if (Fen(body, "amount", "total") is not > 0 || body.GetProperty("amount").TryGetProperty("currency", out var currency) && currency.GetString() != "CNY")
        {
            return "amount.total must be a positive number of fen, currency CNY";
        }

        return body.TryGetProperty("payer", out var payer) && payer.ValueKind == JsonValueKind.Object && String(payer, "openid") is { Length: > 0 }
            ? null
            : "payer.openid is required";
    }

    private static NotificationVariant? ParseVariant(string name) => name switch
    {
        "as-sent" => NotificationVariant.AsSent,
        "bad-signature" => NotificationVariant.BadSignature,
        "stale-timestamp" => NotificationVariant.StaleTimestamp,
        "signtest" => NotificationVariant.SignatureProbe,
        "unknown-serial" => NotificationVariant.UnknownSerial,
        _ => null,
    };

    private static T Locked<T>(SandboxOrder order, Func<T> read)
    {
        lock (order)
        {
            return read();
        }
    }

    private static ResponseMessage Plain(int status, JsonObject body) => new ResponseMessage
    {
        StatusCode = status,
        Headers = new Dictionary<string, WireMock.Types.WireMockList<string>> { ["Content-Type"] = new("application/json") },
        BodyData = new WireMock.Util.BodyData { BodyAsString = body.ToJsonString(), DetectedBodyType = WireMock.Types.BodyType.String },
    };
}
