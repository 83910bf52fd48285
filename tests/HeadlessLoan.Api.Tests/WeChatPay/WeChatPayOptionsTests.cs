using HeadlessLoan.Api.Integrations.WeChatPay;
using HeadlessLoan.Api.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using static HeadlessLoan.Api.Tests.WeChatPay.WeChatPayTestKeys;

namespace HeadlessLoan.Api.Tests.WeChatPay;

public sealed class WeChatPayOptionsTests
{
    [Fact]
    public void The_development_settings_load_both_kinds_of_wechat_pay_key_from_the_test_key_files()
    {
        var api = Repository.File("src", "HeadlessLoan.Api");
        var options = new ConfigurationBuilder().AddJsonFile(Path.Combine(api, "appsettings.Development.json")).Build()
            .GetSection(WeChatPayOptions.Section).Get<WeChatPayOptions>()!;

        var (keys, problems) = WeChatPayKeys.Load(options, api);

        Assert.Empty(problems);
        Assert.Equal([PlatformSerial, PublicKeyId], keys!.Serials.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Inline_pem_works_as_well_as_a_path()
    {
        var inline = Options() with
        {
            MerchantPrivateKey = System.IO.File.ReadAllText(File("merchant-private-key.TEST-ONLY.pem")),
            PublicKey = System.IO.File.ReadAllText(File("wechatpay-public-key.TEST-ONLY.pem")),
        };

        Assert.Empty(WeChatPayKeys.Load(inline, "/").Problems);
    }

    [Fact]
    public void Either_kind_of_wechat_pay_key_alone_is_enough()
    {
        Assert.Empty(WeChatPayKeys.Load(Options() with { PublicKeyId = null, PublicKey = null }, "/").Problems);
        Assert.Empty(WeChatPayKeys.Load(Options() with { PlatformCertificates = new() }, "/").Problems);
    }

    public static TheoryData<string, Func<WeChatPayOptions, WeChatPayOptions>> WrongSettings => new()
    {
        { "WeChatPay:ApiV3Key must be 32 bytes", o => o with { ApiV3Key = "too-short" } },
        { "WeChatPay:MerchantPrivateKey is neither PEM nor a readable file", o => o with { MerchantPrivateKey = "/no/such/apiclient_key.pem" } },
        { "WeChatPay:MerchantPrivateKey is not an RSA private key", o => o with { MerchantPrivateKey = File("wechatpay-public-key.TEST-ONLY.pem") } },
        { "the setting's name must be its serial", o => o with { PlatformCertificates = new() { ["0123456789ABCDEF"] = File("platform-certificate.TEST-ONLY.pem") } } },
        { "is not an RSA certificate in PEM", o => o with { PlatformCertificates = new() { [PlatformSerial] = File("wechatpay-public-key.TEST-ONLY.pem") } } },
        { "set it as WeChatPay:PublicKeyId", o => o with { PlatformCertificates = new() { [PublicKeyId] = File("wechatpay-public-key.TEST-ONLY.pem") } } },
        { "WeChatPay:PublicKeyId and WeChatPay:PublicKey go together", o => o with { PublicKey = null } },
        { "WeChatPay:PublicKeyId must start with PUB_KEY_ID_", o => o with { PublicKeyId = "0119000001092026" } },
        { "WeChatPay needs a key to verify WeChat Pay with", o => o with { PublicKeyId = null, PublicKey = null, PlatformCertificates = new() } },
    };

    [Theory]
    [MemberData(nameof(WrongSettings))]
    public void A_wrong_setting_is_named_in_the_problem(string problem, Func<WeChatPayOptions, WeChatPayOptions> spoil)
    {
        var (keys, problems) = WeChatPayKeys.Load(spoil(Options()), "/");

        Assert.Null(keys);
        Assert.Contains(problems, p => p.Contains(problem, StringComparison.Ordinal));
        Assert.DoesNotContain(problems, p => p.Contains(ApiV3Key, StringComparison.Ordinal) || p.Contains("PRIVATE KEY-----", StringComparison.Ordinal));
    }

    [Fact]
    public void Registered_options_are_validated_with_their_keys_naming_the_setting()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["WeChatPay:BaseUrl"] = "http://127.0.0.1:1",
            ["WeChatPay:MchId"] = MchId,
            ["WeChatPay:AppId"] = AppId,
            ["WeChatPay:MerchantSerialNo"] = MerchantSerialNo,
            ["WeChatPay:MerchantPrivateKey"] = File("merchant-private-key.TEST-ONLY.pem"),
            ["WeChatPay:ApiV3Key"] = "thirty-one-characters-long-key!",
            ["WeChatPay:PublicKeyId"] = PublicKeyId,
            ["WeChatPay:PublicKey"] = File("wechatpay-public-key.TEST-ONLY.pem"),
            ["WeChatPay:NotifyUrl"] = "not a url",
        }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration)
            .AddSingleton<IHostEnvironment>(new FixedKeyRing.Environment()).AddWeChatPay(configuration).BuildServiceProvider();

        var refused = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptionsMonitor<WeChatPayOptions>>().CurrentValue);

        Assert.Contains(refused.Failures, f => f.Contains("WeChatPay:NotifyUrl must be an absolute URL.", StringComparison.Ordinal));
        Assert.Contains(refused.Failures, f => f.StartsWith("WeChatPay:ApiV3Key must be 32 bytes", StringComparison.Ordinal));
    }

    [Fact]
    public void A_changed_configuration_gives_new_keys_without_a_restart()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Settings(Options())).Build();

        using var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration)
            .AddSingleton<IHostEnvironment>(new FixedKeyRing.Environment()).AddWeChatPay(configuration).BuildServiceProvider();
        var ring = services.GetRequiredService<WeChatPayKeyRing>();
        var before = ring.Current;
        Assert.Same(before, ring.Current);

        configuration["WeChatPay:PublicKeyId"] = null;
        configuration["WeChatPay:PublicKey"] = null;
        configuration.Reload(); // As a changed file or secret store reloads.

        Assert.NotSame(before, ring.Current);
        Assert.Equal([PlatformSerial], ring.Current.Serials);
    }

    private static Dictionary<string, string?> Settings(WeChatPayOptions o) => new()
    {
        ["WeChatPay:BaseUrl"] = o.BaseUrl,
        ["WeChatPay:MchId"] = o.MchId,
        ["WeChatPay:AppId"] = o.AppId,
        ["WeChatPay:MerchantSerialNo"] = o.MerchantSerialNo,
        ["WeChatPay:MerchantPrivateKey"] = o.MerchantPrivateKey,
        ["WeChatPay:ApiV3Key"] = o.ApiV3Key,
        [$"WeChatPay:PlatformCertificates:{PlatformSerial}"] = o.PlatformCertificates[PlatformSerial],
        ["WeChatPay:PublicKeyId"] = o.PublicKeyId,
        ["WeChatPay:PublicKey"] = o.PublicKey,
        ["WeChatPay:NotifyUrl"] = o.NotifyUrl,
    };

    internal static Dictionary<string, string?> SettingsOf(WeChatPayOptions o) => Settings(o);
}
