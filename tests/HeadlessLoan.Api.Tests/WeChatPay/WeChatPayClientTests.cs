using System.Text;
using HeadlessLoan.Api.Integrations.WeChatPay;
using HeadlessLoan.Api.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using static HeadlessLoan.Api.Tests.WeChatPay.WeChatPayTestKeys;

namespace HeadlessLoan.Api.Tests.WeChatPay;

/// <summary>The real sandbox playing WeChat Pay, and a notify_url of our own that verifies what it receives.</summary>
public sealed class WeChatPaySandboxFixture : IDisposable
{
    private readonly ServiceProvider _services;

    public WeChatPaySandboxFixture()
    {
        var options = OptionsFor(Sandbox, "http://127.0.0.1:1/notify");
        Verifier = new WeChatPayNotificationVerifier(new FixedKeyRing(Keys(options)).Ring, TimeProvider.System);
        Listener = new NotificationListener(Verifier);
        Options = options with { NotifyUrl = Listener.Url };
        _services = Services(Options);
        Client = _services.GetRequiredService<WeChatPayClient>();
    }

    public SandboxHost Sandbox { get; } = new();

    /// <summary>The client's options: the sandbox's merchant of this host.</summary>
    public WeChatPayOptions Options { get; }

    public NotificationListener Listener { get; }

    public WeChatPayNotificationVerifier Verifier { get; }

    public WeChatPayClient Client { get; }

    /// <summary>The service's registration, with <paramref name="options"/> as its configuration.</summary>
    public static ServiceProvider Services(WeChatPayOptions options)
    {
        var settings = WeChatPayOptionsTests.SettingsOf(options);
        settings["WeChatPay:RetryDelayMilliseconds"] = "0";
        settings["WeChatPay:TimeoutSeconds"] = "2";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddSingleton(TimeProvider.System)
            .AddSingleton<IHostEnvironment>(new FixedKeyRing.Environment()).AddWeChatPay(configuration).BuildServiceProvider();
    }

    public void Dispose()
    {
        _services.Dispose();
        Listener.Dispose();
        Sandbox.Dispose();
    }
}

public sealed class WeChatPayClientTests(WeChatPaySandboxFixture wechatPay) : IClassFixture<WeChatPaySandboxFixture>
{
    private static readonly TimeSpan NotificationWait = TimeSpan.FromSeconds(5);

    private WeChatPayClient Client => wechatPay.Client;

    private static CreatePayTransactionJsapiRequest Order(long amountFen, string? outTradeNo = null) => new()
    {
        Description = "HeadlessLoan 还款",
        OutTradeNumber = outTradeNo ?? "T" + Guid.NewGuid().ToString("N")[..20],
        AmountFen = amountFen,
        PayerOpenId = "o_sandbox_39VLUa9TWct4nvID6z",
        ExpireTime = DateTimeOffset.UtcNow.AddMinutes(30),
        Attachment = "loan-42",
    };

    [Fact]
    public async Task An_order_gets_a_prepay_id_and_its_payment_notification_arrives_signed_sealed_and_verified()
    {
        var order = Order(12_345);

        var created = await Client.CreateJsapiOrderAsync(order, default);

        Assert.True(created.IsSuccessful, created.Error?.ToString());
        Assert.StartsWith("wx_sandbox_prepay_", created.Value!.PrepayId, StringComparison.Ordinal);
        var notification = Assert.Single(await wechatPay.Listener.ForOrderAsync(order.OutTradeNumber, 1, NotificationWait));
        Assert.True(notification.IsAccepted, notification.Refusal.ToString());
        Assert.Equal("TRANSACTION.SUCCESS", notification.Event!.EventType);
        var paid = notification.Transaction!;
        Assert.Equal((TradeStates.Success, 12_345L, AppId, MchId, "loan-42"), (paid.TradeState, paid.Amount!.Total, paid.AppId, paid.MchId, paid.Attachment));
        Assert.Equal(order.PayerOpenId, paid.Payer!.OpenId);
    }

    [Fact]
    public async Task What_the_sandbox_received_is_the_documented_jsapi_order()
    {
        var order = Order(100);

        await Client.CreateJsapiOrderAsync(order, default);

        var logged = wechatPay.Sandbox.Server.LogEntries.Last(e => e.RequestMessage.Path == "/v3/pay/transactions/jsapi");
        using var body = System.Text.Json.JsonDocument.Parse(logged.RequestMessage.Body!);
        var root = body.RootElement;
        Assert.Equal(["appid", "mchid", "description", "out_trade_no", "time_expire", "attach", "notify_url", "amount", "payer"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(wechatPay.Listener.Url, root.GetProperty("notify_url").GetString());
        Assert.EndsWith("+08:00", root.GetProperty("time_expire").GetString(), StringComparison.Ordinal);
        Assert.Equal("CNY", root.GetProperty("amount").GetProperty("currency").GetString());
        Assert.StartsWith("WECHATPAY2-SHA256-RSA2048 mchid=\"1900000109\"", logged.RequestMessage.Headers!["Authorization"][0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Answers_signed_under_the_platform_certificate_and_under_the_public_key_are_both_verified_in_one_run()
    {
        var order = Order(903);
        await Client.CreateJsapiOrderAsync(order, default);

        for (var i = 0; i < 3; i++)
        {
            var queried = await Client.QueryByOutTradeNoAsync(order.OutTradeNumber, default);
            Assert.Equal(TradeStates.Success, queried.Value!.TradeState);
        }

        var serials = wechatPay.Sandbox.Server.LogEntries.Where(e => e.RequestMessage.Path.EndsWith(order.OutTradeNumber, StringComparison.Ordinal))
            .Select(e => e.ResponseMessage.Headers!["Wechatpay-Serial"][0]).ToHashSet();
        Assert.Equal([PlatformSerial, PublicKeyId], serials.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task An_order_whose_notification_never_comes_is_found_paid_by_a_query()
    {
        var order = Order(903);
        await Client.CreateJsapiOrderAsync(order, default);

        var queried = await Client.QueryByOutTradeNoAsync(order.OutTradeNumber, default);

        Assert.Equal(TradeStates.Success, queried.Value!.TradeState);
        Assert.StartsWith("4200000000", queried.Value.TransactionId, StringComparison.Ordinal);
        Assert.Empty(await wechatPay.Listener.ForOrderAsync(order.OutTradeNumber, 1, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task A_duplicated_notification_arrives_three_times_with_one_event_id()
    {
        var order = Order(902);
        await Client.CreateJsapiOrderAsync(order, default);

        var copies = await wechatPay.Listener.ForOrderAsync(order.OutTradeNumber, 3, NotificationWait);

        Assert.Equal(3, copies.Count);
        Assert.All(copies, c => Assert.True(c.IsAccepted));
        Assert.Single(copies.Select(c => c.Event!.Id).Distinct());
    }

    [Fact]
    public async Task A_delayed_notification_is_not_there_at_once_but_comes_after_five_seconds()
    {
        var order = Order(901);
        await Client.CreateJsapiOrderAsync(order, default);

        Assert.Empty(await wechatPay.Listener.ForOrderAsync(order.OutTradeNumber, 1, TimeSpan.FromSeconds(2)));
        Assert.Equal(TradeStates.Success, (await Client.QueryByOutTradeNoAsync(order.OutTradeNumber, default)).Value!.TradeState);
        Assert.Single(await wechatPay.Listener.ForOrderAsync(order.OutTradeNumber, 1, TimeSpan.FromSeconds(8)));
    }

    [Fact]
    public async Task A_failed_payment_is_payerror_and_sends_no_notification()
    {
        var order = Order(904);
        await Client.CreateJsapiOrderAsync(order, default);

        Assert.Equal(TradeStates.PayError, (await Client.QueryByOutTradeNoAsync(order.OutTradeNumber, default)).Value!.TradeState);
        Assert.Empty(await wechatPay.Listener.ForOrderAsync(order.OutTradeNumber, 1, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task An_unpaid_order_closes_with_204_and_is_then_closed_but_a_paid_one_refuses()
    {
        var unpaid = Order(905);
        await Client.CreateJsapiOrderAsync(unpaid, default);
        Assert.Equal(TradeStates.NotPay, (await Client.QueryByOutTradeNoAsync(unpaid.OutTradeNumber, default)).Value!.TradeState);

        var closed = await Client.CloseAsync(unpaid.OutTradeNumber, default);

        Assert.Equal((204, true), (closed.StatusCode, closed.IsSuccessful));
        Assert.Equal(TradeStates.Closed, (await Client.QueryByOutTradeNoAsync(unpaid.OutTradeNumber, default)).Value!.TradeState);
        var paid = Order(903);
        await Client.CreateJsapiOrderAsync(paid, default);
        var refused = await Client.CloseAsync(paid.OutTradeNumber, default);
        Assert.Equal((400, WeChatPayErrorCodes.OrderPaid), (refused.StatusCode, refused.Error!.Code));
    }

    [Fact]
    public async Task An_unknown_order_is_a_typed_404_and_another_order_under_a_used_number_a_typed_400()
    {
        var unknown = await Client.QueryByOutTradeNoAsync("T-never-created-0001", default);
        Assert.Equal((404, WeChatPayErrorCodes.OrderNotExist, false), (unknown.StatusCode, unknown.Error!.Code, unknown.IsSuccessful));

        var order = Order(903);
        await Client.CreateJsapiOrderAsync(order, default);
        var again = await Client.CreateJsapiOrderAsync(order with { AmountFen = 904 }, default);

        Assert.Equal((400, WeChatPayErrorCodes.InvalidRequest), (again.StatusCode, again.Error!.Code));
    }

    [Fact]
    public async Task A_refund_is_accepted_processing_then_found_successful_and_the_same_number_refunds_once()
    {
        var order = Order(10_000);
        await Client.CreateJsapiOrderAsync(order, default);
        var refund = new CreateRefundDomesticRefundRequest
        {
            OutTradeNumber = order.OutTradeNumber, OutRefundNumber = "R" + Guid.NewGuid().ToString("N")[..20], RefundFen = 4_000, TotalFen = 10_000,
            Reason = "提前还款多付", NotifyUrl = wechatPay.Listener.Url,
        };

        var accepted = await Client.RefundAsync(refund, default);
        var again = await Client.RefundAsync(refund, default);
        var queried = await Client.QueryRefundAsync(refund.OutRefundNumber, default);

        Assert.Equal(RefundStatuses.Processing, accepted.Value!.Status);
        Assert.Equal(accepted.Value.RefundId, again.Value!.RefundId);
        Assert.Equal((RefundStatuses.Success, 4_000L, 10_000L), (queried.Value!.Status, queried.Value.Amount!.Refund, queried.Value.Amount.Total));
        var notified = (await wechatPay.Listener.ForOrderAsync(order.OutTradeNumber, 2, NotificationWait)).Single(n => n.Refund is not null);
        Assert.Equal(("REFUND.SUCCESS", RefundStatuses.Success), (notified.Event!.EventType, notified.Refund!.RefundStatus));
        var tooMuch = await Client.RefundAsync(refund with { OutRefundNumber = refund.OutRefundNumber + "b", RefundFen = 6_001 }, default);
        Assert.Equal((400, WeChatPayErrorCodes.InvalidRequest), (tooMuch.StatusCode, tooMuch.Error!.Code));
        var unknown = await Client.QueryRefundAsync("R-never-created-0001", default);
        Assert.Equal((404, WeChatPayErrorCodes.ResourceNotExists), (unknown.StatusCode, unknown.Error!.Code));
    }

    [Fact]
    public async Task A_notification_sent_again_spoilt_is_refused_by_the_verifier_and_the_sandbox_reports_our_4xx()
    {
        var order = Order(903);
        await Client.CreateJsapiOrderAsync(order, default);
        using var http = new HttpClient { BaseAddress = new Uri(wechatPay.Sandbox.Url) };

        foreach (var (variant, status) in new[] { ("as-sent", 204), ("bad-signature", 401), ("stale-timestamp", 401), ("signtest", 401), ("unknown-serial", 401) })
        {
            using var answer = await http.PostAsync(new Uri("/sandbox/wechatpay/notifications/resend", UriKind.Relative), new StringContent(
                $$"""{"out_trade_no":"{{order.OutTradeNumber}}","variant":"{{variant}}"}""", Encoding.UTF8, "application/json"));
            using var reply = System.Text.Json.JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
            Assert.True(status == reply.RootElement.GetProperty("status").GetInt32(), variant);
        }

        var refusals = wechatPay.Listener.Received.Where(r => !r.IsAccepted).Select(r => r.Refusal);
        Assert.Equal([WeChatPayRefusal.SignatureInvalid, WeChatPayRefusal.TimestampOutsideWindow, WeChatPayRefusal.SignatureProbe, WeChatPayRefusal.UnknownSerial], refusals);
    }

    [Fact]
    public async Task Signed_with_another_merchant_key_the_order_is_a_typed_401_sign_error()
    {
        using var otherKey = System.Security.Cryptography.RSA.Create(2048);
        var pem = otherKey.ExportPkcs8PrivateKeyPem();
        using var services = WeChatPaySandboxFixture.Services(Options(wechatPay.Sandbox.Url, wechatPay.Listener.Url) with { MerchantPrivateKey = pem });

        var refused = await services.GetRequiredService<WeChatPayClient>().CreateJsapiOrderAsync(Order(100), default);

        Assert.Equal((401, WeChatPayErrorCodes.SignError), (refused.StatusCode, refused.Error!.Code));
    }

    [Fact]
    public async Task An_answer_signed_under_a_serial_we_were_not_given_is_not_believed()
    {
        using var services = WeChatPaySandboxFixture.Services(wechatPay.Options with { PublicKeyId = null, PublicKey = null });
        var client = services.GetRequiredService<WeChatPayClient>();

        // The sandbox alternates its two keys: of two answers, one is signed under the public key this client does not know.
        var outcomes = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            try
            {
                outcomes.Add((await client.QueryByOutTradeNoAsync("T-never-created-0002", default)).Error!.Code);
            }
            catch (WeChatPayUnavailableException e)
            {
                outcomes.Add(e.Message);
            }
        }

        Assert.Contains(WeChatPayErrorCodes.OrderNotExist, outcomes);
        Assert.Contains(outcomes, o => o.Contains(nameof(WeChatPayRefusal.UnknownSerial), StringComparison.Ordinal));
    }

    [Fact]
    public async Task WeChat_pay_out_of_reach_is_unavailability_not_an_error_of_ours()
    {
        using var services = WeChatPaySandboxFixture.Services(Options("http://127.0.0.1:9", wechatPay.Listener.Url));

        var e = await Assert.ThrowsAsync<WeChatPayUnavailableException>(() =>
            services.GetRequiredService<WeChatPayClient>().QueryByOutTradeNoAsync("T-anything-0001", default));

        Assert.StartsWith("WeChat Pay could not be reached", e.Message, StringComparison.Ordinal);
    }
}
