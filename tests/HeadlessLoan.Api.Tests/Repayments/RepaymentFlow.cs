using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using HeadlessLoan.Api.Features.Repayments;
using HeadlessLoan.Api.Integrations.WeChatPay;
using HeadlessLoan.Api.Tests.Infrastructure;
using HeadlessLoan.Api.Tests.Loans;
using HeadlessLoan.Api.Tests.WeChatPay;
using Microsoft.Extensions.DependencyInjection;

namespace HeadlessLoan.Api.Tests.Repayments;

/// <summary>Loans that repay through the sandbox's WeChat Pay, whose notifications reach the service through the relay.</summary>
public class RepaymentsFactory : LoansFactory
{
    protected override IReadOnlyDictionary<string, string?> Settings
    {
        get
        {
            var settings = new Dictionary<string, string?>(base.Settings)
            {
                ["WeChatPay:NotifyUrl"] = Relay.Url + "/v1/webhooks/wechatpay",
                ["Repayments:QueryAfterSeconds"] = QueryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            return settings;
        }
    }

    public const int QueryAfterSeconds = 60;
}

/// <summary>Repaying over HTTP, and reading what a repayment did to the books.</summary>
public static class RepaymentFlow
{
    public static Task<HttpResponseMessage> RepayAsync(HttpClient borrower, Guid loanId, string kind, long? amount = null, string? key = null) =>
        borrower.PostWithKeyAsync($"/v1/loans/{loanId}/repayments", amount is null ? new { kind } : new { kind, amount }, key ?? Guid.NewGuid().ToString());

    /// <summary>A new order the sandbox accepted: its body (<c>order</c>, <c>payment</c>).</summary>
    public static async Task<JsonElement> OrderAsync(HttpClient borrower, Guid loanId, string kind, long? amount = null)
    {
        var response = await RepayAsync(borrower, loanId, kind, amount);
        await response.AssertStatusAsync(HttpStatusCode.Created);
        return await response.ReadJsonAsync();
    }

    public static async Task<JsonElement> ReadOrderAsync(HttpClient client, Guid loanId, string outTradeNo)
    {
        var response = await client.GetAsync($"/v1/loans/{loanId}/repayments/{Guid.ParseExact(outTradeNo, "N")}");
        await response.AssertStatusAsync(HttpStatusCode.OK);
        return await response.ReadJsonAsync();
    }

    /// <summary>Lets the sandbox's notification of a paid order go (it waits for a moment of the service's clock), then <see cref="SettledAsync"/>.</summary>
    public static Task<JsonElement> NotifiedAsync(ApiFactory api, HttpClient client, Guid loanId, string outTradeNo)
    {
        api.Clock.Advance(TimeSpan.FromSeconds(1));
        return SettledAsync(client, loanId, outTradeNo);
    }

    /// <summary>Reads the order until its status is no longer <paramref name="status"/> (stored notifications are settled in the background).</summary>
    public static async Task<JsonElement> SettledAsync(HttpClient client, Guid loanId, string outTradeNo, string status = "created")
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            var order = await ReadOrderAsync(client, loanId, outTradeNo);
            if (order.GetProperty("status").GetString() != status || DateTime.UtcNow > deadline)
            {
                return order;
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Asks the sandbox to send the paid order's notification again, as <paramref name="variant"/>; the status our service answered it.</summary>
    public static async Task<int> ResendAsync(ApiFactory api, string outTradeNo, string variant = "as-sent")
    {
        using var sandbox = new HttpClient { BaseAddress = new Uri(api.Sandbox.Url) };
        var response = await sandbox.PostAsJsonAsync("/sandbox/wechatpay/notifications/resend", new { out_trade_no = outTradeNo, variant });
        await response.AssertStatusAsync(HttpStatusCode.OK);
        return (await response.ReadJsonAsync()).GetProperty("status").GetInt32();
    }

    /// <summary>One turn of the reconciliation job.</summary>
    public static Task<int> ReconcileOrdersAsync(ApiFactory api) =>
        api.Services.GetRequiredService<PaymentOrderReconciler>().RunOnceAsync(CancellationToken.None);

    public static async Task<int> EntriesAsync(ApiFactory api, Guid loanId, string kind)
    {
        await using var db = await api.OpenDatabaseAsync();
        return await db.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM journal_entries WHERE loan_id = @loanId AND kind = @kind", new { loanId, kind });
    }

    /// <summary>The schedule's paid amounts per period, principal + interest + fee + penalty.</summary>
    public static async Task<long[]> PaidPerPeriodAsync(HttpClient client, Guid loanId)
    {
        var schedule = await (await client.GetAsync($"/v1/loans/{loanId}/schedule")).ReadJsonAsync();
        return schedule.GetProperty("periods").EnumerateArray().Select(p => p.GetProperty("paid").GetProperty("total").GetInt64()).ToArray();
    }

    /// <summary>Posts a notification to the service as WeChat Pay would, signed with the sandbox's test keys.</summary>
    public static Task<HttpResponseMessage> NotifyAsync(
        ApiFactory api, string transactionJson, DateTimeOffset? at = null, string serial = WeChatPayTestKeys.PublicKeyId, HttpClient? to = null)
    {
        var body = WeChatPayTestKeys.Notification(transactionJson, apiV3Key: api.Sandbox.WeChatPayApiV3Key);
        var headers = WeChatPayTestKeys.Sign(body, at ?? api.Clock.GetUtcNow(), serial);
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/webhooks/wechatpay") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.Add(WeChatPaySignatureHeaders.TimestampHeader, headers.Timestamp);
        request.Headers.Add(WeChatPaySignatureHeaders.NonceHeader, headers.Nonce);
        request.Headers.Add(WeChatPaySignatureHeaders.SignatureHeader, headers.Signature);
        request.Headers.Add(WeChatPaySignatureHeaders.SerialHeader, headers.Serial);
        return (to ?? api.CreateClient()).SendAsync(request);
    }

    /// <summary>A paid transaction for <paramref name="outTradeNo"/>, as WeChat Pay describes it.</summary>
    public static string Transaction(string outTradeNo, long total, string openId, string transactionId, DateTimeOffset paidAt, string mchId = WeChatPayTestKeys.MchId) =>
        JsonSerializer.Serialize(new
        {
            appid = WeChatPayTestKeys.AppId, mchid = mchId, out_trade_no = outTradeNo, transaction_id = transactionId, trade_type = "JSAPI",
            trade_state = "SUCCESS", trade_state_desc = "支付成功", bank_type = "OTHERS", attach = "",
            success_time = paidAt.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture),
            payer = new { openid = openId }, amount = new { total, payer_total = total, currency = "CNY", payer_currency = "CNY" },
        });

    public static async Task<string> OpenIdAsync(ApiFactory api, Guid loanId)
    {
        await using var db = await api.OpenDatabaseAsync();
        return await db.ExecuteScalarAsync<string>(
            "SELECT b.wechat_openid FROM loans l JOIN borrowers b ON b.id = l.borrower_id WHERE l.id = @loanId", new { loanId }) ?? "";
    }
}
