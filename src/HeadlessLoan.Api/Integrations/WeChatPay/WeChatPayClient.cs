using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using HeadlessLoan.Api.Platform;
using HeadlessLoan.Api.Platform.Http;

namespace HeadlessLoan.Api.Integrations.WeChatPay;

/// <summary>
/// WeChat Pay v3 for the mini-program: JSAPI orders, their query and close, refunds and their query. Every request is
/// signed with the merchant key; every answer's signature is verified before it is read, and one that does not
/// verify is not believed (<see cref="WeChatPayUnavailableException"/>); only an error may come unsigned. A 4xx is WeChat Pay's refusal, returned as
/// <see cref="WeChatPayResult{T}.Error"/>; what only time fixes (no answer, 429, 5xx) is the exception.
/// </summary>
public sealed class WeChatPayClient(HttpClient http, WeChatPayKeyRing keys, TimeProvider clock)
{
    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    /// <summary>A prepay id for <c>wx.requestPayment</c> (see <see cref="WeChatPayJsapi"/>).</summary>
    public Task<WeChatPayResult<CreatePayTransactionJsapiResponse>> CreateJsapiOrderAsync(CreatePayTransactionJsapiRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var o = keys.Current.Options;
        var body = new
        {
            appid = o.AppId,
            mchid = o.MchId,
            description = request.Description,
            out_trade_no = request.OutTradeNumber,
            time_expire = request.ExpireTime?.ToOffset(ChinaTime.Offset).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
            attach = request.Attachment,
            notify_url = o.NotifyUrl,
            amount = new { total = request.AmountFen, currency = "CNY" },
            payer = new { openid = request.PayerOpenId },
        };
        return SendAsync<CreatePayTransactionJsapiResponse>(HttpMethod.Post, "/v3/pay/transactions/jsapi", body, ct);
    }

    /// <summary>The order as WeChat Pay has it: how to find out when no notification came.</summary>
    public Task<WeChatPayResult<TransactionResource>> QueryByOutTradeNoAsync(string outTradeNumber, CancellationToken ct) =>
        SendAsync<TransactionResource>(HttpMethod.Get,
            $"/v3/pay/transactions/out-trade-no/{Uri.EscapeDataString(outTradeNumber)}?mchid={Uri.EscapeDataString(keys.Current.Options.MchId)}", null, ct);

    /// <summary>Closes an unpaid order (answered 204); a paid one is refused.</summary>
    public Task<WeChatPayResult<object>> CloseAsync(string outTradeNumber, CancellationToken ct) =>
        SendAsync<object>(HttpMethod.Post, $"/v3/pay/transactions/out-trade-no/{Uri.EscapeDataString(outTradeNumber)}/close",
            new { mchid = keys.Current.Options.MchId }, ct);

    /// <summary>Asks for a refund; the same out_refund_no again refunds once. Accepted (PROCESSING) is not done: query it.</summary>
    public Task<WeChatPayResult<RefundDomestic>> RefundAsync(CreateRefundDomesticRefundRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = new
        {
            out_trade_no = request.OutTradeNumber,
            out_refund_no = request.OutRefundNumber,
            reason = request.Reason,
            notify_url = request.NotifyUrl,
            amount = new { refund = request.RefundFen, total = request.TotalFen, currency = "CNY" },
        };
        return SendAsync<RefundDomestic>(HttpMethod.Post, "/v3/refund/domestic/refunds", body, ct);
    }

    public Task<WeChatPayResult<RefundDomestic>> QueryRefundAsync(string outRefundNumber, CancellationToken ct) =>
        SendAsync<RefundDomestic>(HttpMethod.Get, $"/v3/refund/domestic/refunds/{Uri.EscapeDataString(outRefundNumber)}", null, ct);

    private async Task<WeChatPayResult<T>> SendAsync<T>(HttpMethod method, string pathAndQuery, object? body, CancellationToken ct)
        where T : class
    {
        var current = keys.Current;
        var json = body is null ? "" : JsonSerializer.Serialize(body, Json);
        using var message = new HttpRequestMessage(method, pathAndQuery);
        message.Headers.Authorization = WeChatPaySignatures.Authorization(current, clock, method.Method, pathAndQuery, json);
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        // WeChat Pay refuses requests without a User-Agent.
        message.Headers.UserAgent.Add(new ProductInfoHeaderValue("HeadlessLoan", "1.0"));
        if (body is not null)
        {
            message.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return await UpstreamHttp.SendAsync(http, message, (answer, token) => ReadAsync<T>(answer, current, token),
            (what, e) => new WeChatPayUnavailableException($"WeChat Pay {what}.", e), ct);
    }

    private async Task<WeChatPayResult<T>> ReadAsync<T>(HttpResponseMessage answer, WeChatPayKeys current, CancellationToken ct)
        where T : class
    {
        var bytes = await answer.Content.ReadAsByteArrayAsync(ct);
        var status = (int)answer.StatusCode;
        // A success is believed only signed. WeChat Pay's SDKs read an error without its signature (not every gateway
        // error is signed), so an unsigned refusal is taken as the refusal it says; a signed one must verify.
        var refused = WeChatPaySignatures.Check(current, WeChatPaySignatureHeaders.From(answer.Headers), bytes, clock.GetUtcNow());
        if (refused is not null && (answer.IsSuccessStatusCode || refused != WeChatPayRefusal.SignatureMissing))
        {
            throw new WeChatPayUnavailableException($"WeChat Pay's answer (HTTP {status}) is not believed: {refused}.");
        }

        if (answer.IsSuccessStatusCode)
        {
            var value = bytes.Length == 0 ? null : JsonSerializer.Deserialize<T>(bytes, Json);
            return new WeChatPayResult<T>(status, value, null);
        }

        var error = bytes.Length == 0 ? null : JsonSerializer.Deserialize<WeChatPayError>(bytes, Json);
        if (status is 429 or >= 500)
        {
            throw new WeChatPayUnavailableException($"WeChat Pay answered HTTP {status} ({error?.Code}).", errorCode: error?.Code);
        }

        return new WeChatPayResult<T>(status, null, error ?? new WeChatPayError("HTTP_" + status.ToString(CultureInfo.InvariantCulture), null));
    }
}

/// <summary>The parameters of <c>wx.requestPayment</c> for a prepay id, signed with the merchant key.</summary>
public sealed class WeChatPayJsapi(WeChatPayKeyRing keys, TimeProvider clock)
{
    public WxRequestPaymentParameters PaymentParameters(string prepayId)
    {
        ArgumentException.ThrowIfNullOrEmpty(prepayId);
        var current = keys.Current;
        var timeStamp = WeChatPaySignatures.UnixSeconds(clock);
        var nonce = WeChatPaySignatures.NewNonce();
        var package = "prepay_id=" + prepayId;
        var paySign = WeChatPaySignatures.Sign(current.MerchantKey, PaySignMessage(current.Options.AppId, timeStamp, nonce, package));
        return new WxRequestPaymentParameters(timeStamp, nonce, package, "RSA", paySign);
    }

    /// <summary><c>APPID\nTIMESTAMP\nNONCE\nPACKAGE\n</c>.</summary>
    public static string PaySignMessage(string appId, string timeStamp, string nonce, string package) =>
        $"{appId}\n{timeStamp}\n{nonce}\n{package}\n";
}
