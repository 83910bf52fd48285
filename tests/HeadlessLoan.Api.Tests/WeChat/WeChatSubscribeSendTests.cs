using HeadlessLoan.Api.Integrations.WeChat;
using HeadlessLoan.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace HeadlessLoan.Api.Tests.WeChat;

/// <summary>The service's WeChat client sending subscribe messages (reminders) to the real sandbox.</summary>
public sealed class WeChatSubscribeSendTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private const string SendPath = "/cgi-bin/message/subscribe/send";

    private WeChatApiClient WeChat => factory.Services.GetRequiredService<WeChatApiClient>();

    private async Task<string> OpenIdAsync(string code) =>
        (await WeChat.ExecuteSnsJsCode2SessionAsync(new SnsJsCode2SessionRequest(code), default)).OpenId!;

    private static CgibinMessageSubscribeSendRequest Due(string openId, string thing = "借款第3期还款") =>
        new(openId, "tmpl_repayment_due", "pages/loan/index?id=1", new Dictionary<string, string>
        {
            ["thing1"] = thing,
            ["amount2"] = "¥1000.00",
            ["date3"] = "2026年3月10日",
        }, MiniProgramState: "formal", Language: "zh_CN");

    private int SendsTo(string openId) =>
        factory.Sandbox.Server.LogEntries.Count(e => e.RequestMessage.Path == SendPath && (e.RequestMessage.Body ?? "").Contains(openId, StringComparison.Ordinal));

    [Fact]
    public async Task A_message_within_WeChat_s_rules_is_sent_once()
    {
        var openId = await OpenIdAsync("code_" + Guid.NewGuid().ToString("N"));

        var sent = await WeChat.ExecuteCgibinMessageSubscribeSendAsync(Due(openId), default);

        Assert.True(sent.IsSuccessful(), sent.ErrorMessage);
        Assert.NotNull(sent.MessageId);
        Assert.Equal(1, SendsTo(openId));
    }

    [Fact]
    public async Task A_borrower_with_no_subscription_left_is_refused_43101()
    {
        var openId = await OpenIdAsync($"sandbox_subscribe_43101_{Guid.NewGuid():N}");

        var refused = await WeChat.ExecuteCgibinMessageSubscribeSendAsync(Due(openId), default);

        Assert.Equal(WeChatSubscribeErrorCodes.SubscriptionRefused, refused.ErrorCode);
    }

    [Fact]
    public async Task A_thing_longer_than_20_characters_is_refused_47003_naming_the_field()
    {
        var openId = await OpenIdAsync("code_" + Guid.NewGuid().ToString("N"));

        var refused = await WeChat.ExecuteCgibinMessageSubscribeSendAsync(Due(openId, thing: "您的借款第3期应还款项将于三月十日到期请按时还款"), default);

        Assert.Equal(WeChatSubscribeErrorCodes.InvalidTemplateData, refused.ErrorCode);
        Assert.Contains("data.thing1.value", refused.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_5xx_after_the_message_may_have_reached_WeChat_is_unavailability_and_never_a_second_send()
    {
        var openId = await OpenIdAsync("code_" + Guid.NewGuid().ToString("N"));
        factory.Sandbox.Server.Given(Request.Create().WithPath(SendPath).UsingPost().WithBody(new WildcardMatcher("*" + openId + "*")))
            .AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(503));

        await Assert.ThrowsAsync<WeChatUnavailableException>(() => WeChat.ExecuteCgibinMessageSubscribeSendAsync(Due(openId), default));

        Assert.Equal(1, SendsTo(openId));
    }

    [Fact]
    public async Task Busy_is_unavailability_and_never_a_second_send()
    {
        var openId = await OpenIdAsync("code_" + Guid.NewGuid().ToString("N"));
        factory.Sandbox.Server.Given(Request.Create().WithPath(SendPath).UsingPost().WithBody(new WildcardMatcher("*" + openId + "*")))
            .AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody("""{"errcode":-1,"errmsg":"system error"}"""));

        var busy = await Assert.ThrowsAsync<WeChatUnavailableException>(() => WeChat.ExecuteCgibinMessageSubscribeSendAsync(Due(openId), default));

        Assert.Equal(WeChatErrorCodes.SystemBusy, busy.ErrorCode);
        Assert.Equal(1, SendsTo(openId));
    }
}
