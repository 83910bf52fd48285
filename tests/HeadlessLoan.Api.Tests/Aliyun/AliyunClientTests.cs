using System.Security.Cryptography;
using HeadlessLoan.Api.Integrations.Aliyun;
using HeadlessLoan.Api.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace HeadlessLoan.Api.Tests.Aliyun;

/// <summary>The service's Aliyun clients, as the service registers them, against the real sandbox on a clock both share.</summary>
public sealed class AliyunSandboxFixture : IDisposable
{
    public AliyunSandboxFixture()
    {
        Sandbox = new SandboxHost(Clock);
        Services = AliyunTestSettings.Services(Sandbox.AliyunSettings(), Clock);
    }

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 3, 2, 1, 0, 0, TimeSpan.Zero));

    public SandboxHost Sandbox { get; }

    public ServiceProvider Services { get; }

    public AliyunSmsClient Sms => Services.GetRequiredService<AliyunSmsClient>();

    public AliyunVoiceClient Voice => Services.GetRequiredService<AliyunVoiceClient>();

    /// <summary>Today in Beijing, as Aliyun dates its messages.</summary>
    public DateOnly Today => DateOnly.FromDateTime(Clock.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).DateTime);

    /// <summary>How many <paramref name="action"/> requests the sandbox received that carry <paramref name="number"/>.</summary>
    public int RequestsFor(string action, string number) =>
        Sandbox.Server.LogEntries.Count(e => e.RequestMessage.Body is { } body
                                             && body.Contains("Action=" + action, StringComparison.Ordinal) && body.Contains(number, StringComparison.Ordinal));

    public void Dispose()
    {
        Services.Dispose();
        Sandbox.Dispose();
    }
}

public static class AliyunTestSettings
{
    public static ServiceProvider Services(Dictionary<string, string?> settings, TimeProvider clock)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddSingleton(clock).AddAliyun(configuration).BuildServiceProvider();
    }

    /// <summary>A mainland mobile number ending in <paramref name="lastFour"/>, its middle random so tests never share one.</summary>
    public static string Number(string lastFour) => "13" + RandomNumberGenerator.GetString("0123456789", 5) + lastFour;

    public static string NewOutId() => "r" + Guid.NewGuid().ToString("N")[..16];
}

public sealed class AliyunSmsClientTests(AliyunSandboxFixture aliyun) : IClassFixture<AliyunSandboxFixture>
{
    private static SmsSendRequest Reminder(string number, string outId) =>
        new(number, "沙箱贷", "SMS_100001", new Dictionary<string, string> { ["name"] = "张三", ["amount"] = "1,000.00" }, outId);

    [Fact]
    public async Task An_accepted_SMS_waits_for_its_receipt_then_is_delivered_under_its_OutId()
    {
        var number = AliyunTestSettings.Number("1234");
        var outId = AliyunTestSettings.NewOutId();

        var sent = await aliyun.Sms.SendSmsAsync(Reminder(number, outId), default);
        var waiting = Assert.Single(await aliyun.Sms.QuerySendDetailsAsync(number, aliyun.Today, sent.BizId, default));
        aliyun.Clock.Advance(SandboxHost.AliyunDelay + TimeSpan.FromSeconds(1));
        var delivered = Assert.Single(await aliyun.Sms.QuerySendDetailsAsync(number, aliyun.Today, sent.BizId, default));

        Assert.True(sent.Accepted);
        Assert.False(string.IsNullOrEmpty(sent.BizId));
        Assert.Equal(SmsSendStatus.Waiting, waiting.Status);
        Assert.Null(waiting.ReceivedAt);
        Assert.Equal(SmsSendStatus.Delivered, delivered.Status);
        Assert.Equal((number, outId, sent.BizId), (delivered.PhoneNumber, delivered.OutId, delivered.BizId));
        Assert.Equal(aliyun.Clock.GetUtcNow(), delivered.ReceivedAt!.Value, TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task A_receipt_that_says_failed_is_reported_failed_with_the_carrier_s_code()
    {
        var number = AliyunTestSettings.Number("9002");

        var sent = await aliyun.Sms.SendSmsAsync(Reminder(number, AliyunTestSettings.NewOutId()), default);
        aliyun.Clock.Advance(SandboxHost.AliyunDelay + TimeSpan.FromSeconds(1));
        var failed = Assert.Single(await aliyun.Sms.QuerySendDetailsAsync(number, aliyun.Today, null, default));

        Assert.True(sent.Accepted);
        Assert.Equal(SmsSendStatus.Failed, failed.Status);
        Assert.Equal("MK:0001", failed.ErrorCode);
    }

    [Theory]
    [InlineData("9001", AliyunCodes.MobileNumberIllegal)]
    [InlineData("9003", AliyunCodes.BusinessLimitControl)]
    public async Task A_refusal_is_a_result_with_Aliyun_s_code_and_nothing_was_sent(string lastFour, string code)
    {
        var number = AliyunTestSettings.Number(lastFour);

        var refused = await aliyun.Sms.SendSmsAsync(Reminder(number, AliyunTestSettings.NewOutId()), default);

        Assert.False(refused.Accepted);
        Assert.Equal(code, refused.Code);
        Assert.Null(refused.BizId);
        Assert.Empty(await aliyun.Sms.QuerySendDetailsAsync(number, aliyun.Today, null, default));
    }

    [Fact]
    public async Task An_answer_lost_after_sending_is_unavailability_never_a_second_SMS_and_the_query_finds_the_message_by_its_OutId()
    {
        var number = AliyunTestSettings.Number("9005");
        var outId = AliyunTestSettings.NewOutId();

        var lost = await Assert.ThrowsAsync<AliyunUnavailableException>(() => aliyun.Sms.SendSmsAsync(Reminder(number, outId), default));
        var found = await aliyun.Sms.QuerySendDetailsAsync(number, aliyun.Today, null, default);

        Assert.Equal(AliyunCodes.ServiceUnavailable, lost.Code);
        Assert.Equal(1, aliyun.RequestsFor("SendSms", number));
        Assert.Equal(outId, Assert.Single(found).OutId);
    }
}

public sealed class AliyunVoiceClientTests(AliyunSandboxFixture aliyun) : IClassFixture<AliyunSandboxFixture>
{
    private static VoiceCallRequest Reminder(string number) =>
        new(number, "TTS_100001", new Dictionary<string, string> { ["amount"] = "1000.00" }, AliyunTestSettings.NewOutId());

    [Theory]
    [InlineData("1234", "200000", true)]
    [InlineData("9101", "200003", false)]
    [InlineData("9103", "200002", false)]
    public async Task A_placed_call_is_under_way_until_it_ends_answered_or_not(string lastFour, string state, bool answered)
    {
        var placed = await aliyun.Voice.SingleCallByTtsAsync(Reminder(AliyunTestSettings.Number(lastFour)), default);
        var during = await aliyun.Voice.QueryCallDetailByCallIdAsync(placed.CallId!, aliyun.Today, default);
        aliyun.Clock.Advance(SandboxHost.AliyunDelay + TimeSpan.FromSeconds(1));
        var ended = await aliyun.Voice.QueryCallDetailByCallIdAsync(placed.CallId!, aliyun.Today, default);

        Assert.True(placed.Accepted);
        Assert.False(during!.Finished);
        Assert.True(ended!.Finished);
        Assert.Equal((state, answered, answered), (ended.State, ended.Answered, ended.DurationSeconds > 0));
        Assert.Equal(placed.CallId, ended.CallId);
        Assert.False(string.IsNullOrEmpty(ended.StateDescription));
    }

    [Fact]
    public async Task A_refused_number_is_a_result_with_Aliyun_s_code()
    {
        var refused = await aliyun.Voice.SingleCallByTtsAsync(Reminder(AliyunTestSettings.Number("9102")), default);

        Assert.False(refused.Accepted);
        Assert.Equal(AliyunCodes.MobileNumberIllegal, refused.Code);
        Assert.Null(refused.CallId);
    }

    [Fact]
    public async Task An_answer_lost_after_the_call_was_placed_is_unavailability_never_a_second_call()
    {
        var number = AliyunTestSettings.Number("9105");

        await Assert.ThrowsAsync<AliyunUnavailableException>(() => aliyun.Voice.SingleCallByTtsAsync(Reminder(number), default));

        Assert.Equal(1, aliyun.RequestsFor("SingleCallByTts", number));
    }

    [Fact]
    public async Task A_call_Aliyun_does_not_know_has_no_detail()
    {
        Assert.Null(await aliyun.Voice.QueryCallDetailByCallIdAsync("123456789012^12345678901", aliyun.Today, default));
    }
}

/// <summary>The signature is really checked: a client with another secret is refused, whatever it asks.</summary>
public sealed class AliyunSignatureTests(AliyunSandboxFixture aliyun) : IClassFixture<AliyunSandboxFixture>
{
    [Fact]
    public async Task A_client_signing_with_the_wrong_secret_is_refused_SignatureDoesNotMatch_and_sends_nothing()
    {
        var settings = aliyun.Sandbox.AliyunSettings();
        settings["Aliyun:AccessKeySecret"] = "not-the-sandbox-secret-" + Guid.NewGuid().ToString("N");
        using var services = AliyunTestSettings.Services(settings, aliyun.Clock);
        var number = AliyunTestSettings.Number("1234");

        var sent = await services.GetRequiredService<AliyunSmsClient>().SendSmsAsync(
            new SmsSendRequest(number, "沙箱贷", "SMS_100001", new Dictionary<string, string>(), "o1"), default);
        var query = await Assert.ThrowsAsync<AliyunRefusedException>(() =>
            services.GetRequiredService<AliyunSmsClient>().QuerySendDetailsAsync(number, aliyun.Today, null, default));
        var call = await services.GetRequiredService<AliyunVoiceClient>().SingleCallByTtsAsync(
            new VoiceCallRequest(number, "TTS_100001", new Dictionary<string, string>(), "o2"), default);

        Assert.Equal(AliyunCodes.SignatureDoesNotMatch, sent.Code);
        Assert.Equal(AliyunCodes.SignatureDoesNotMatch, query.Code);
        Assert.Equal(AliyunCodes.SignatureDoesNotMatch, call.Code);
        Assert.Empty(await aliyun.Sms.QuerySendDetailsAsync(number, aliyun.Today, null, default));
    }

    [Fact]
    public async Task An_unknown_AccessKeyId_is_refused_InvalidAccessKeyId_NotFound()
    {
        var settings = aliyun.Sandbox.AliyunSettings();
        settings["Aliyun:AccessKeyId"] = "LTAI_SOMEONE_ELSE";
        using var services = AliyunTestSettings.Services(settings, aliyun.Clock);

        var sent = await services.GetRequiredService<AliyunSmsClient>().SendSmsAsync(
            new SmsSendRequest(AliyunTestSettings.Number("1234"), "沙箱贷", "SMS_100001", new Dictionary<string, string>(), "o1"), default);

        Assert.Equal(AliyunCodes.InvalidAccessKeyIdNotFound, sent.Code);
    }
}

/// <summary>The signing and the options, without the sandbox.</summary>
public sealed class AliyunRpcTests
{
    [Fact]
    public void The_signature_of_Aliyun_s_documented_example_is_the_documented_one()
    {
        var parameters = new Dictionary<string, string>
        {
            ["AccessKeyId"] = "testid", ["Action"] = "DescribeRegions", ["Format"] = "XML", ["SignatureMethod"] = "HMAC-SHA1",
            ["SignatureNonce"] = "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf", ["SignatureVersion"] = "1.0",
            ["Timestamp"] = "2016-02-23T12:46:24Z", ["Version"] = "2014-05-26",
        };

        Assert.Equal("OLeaidS1JvxuMvnyHOwuJ+uX5qY=", AliyunRpc.Sign("GET", parameters, "testsecret"));
    }

    [Fact]
    public void Percent_encoding_leaves_only_the_unreserved_characters_and_writes_a_space_as_20()
    {
        Assert.Equal("a%20b%2Ac~d%21%27%28%29%2B%2F%3A", AliyunRpc.PercentEncode("a b*c~d!'()+/:"));
        Assert.Equal("%E5%BC%A0", AliyunRpc.PercentEncode("张"));
    }

    [Fact]
    public void The_secret_never_prints_and_a_short_one_stops_the_start()
    {
        var options = new AliyunOptions { AccessKeyId = "id", AccessKeySecret = "a-secret-long-enough-0001" };
        Assert.DoesNotContain("a-secret-long-enough-0001", options.ToString(), StringComparison.Ordinal);
        Assert.Contains("AccessKeySecret = (set)", options.ToString(), StringComparison.Ordinal);

        using var services = AliyunTestSettings.Services(new Dictionary<string, string?>
        {
            ["Aliyun:AccessKeyId"] = "id", ["Aliyun:AccessKeySecret"] = "short", ["Aliyun:SmsBaseUrl"] = "http://127.0.0.1:1/",
            ["Aliyun:VoiceBaseUrl"] = "http://127.0.0.1:1/", ["Aliyun:VoiceCalledShowNumber"] = "057100000000",
        }, TimeProvider.System);
        var refused = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<AliyunOptions>>().Value);
        Assert.Contains("Aliyun:AccessKeySecret must be at least 16 characters", refused.Message, StringComparison.Ordinal);
    }
}
