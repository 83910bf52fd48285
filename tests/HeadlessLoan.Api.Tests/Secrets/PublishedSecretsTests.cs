using HeadlessLoan.Api.Platform.Secrets;
using HeadlessLoan.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace HeadlessLoan.Api.Tests.Secrets;

public sealed class PublishedSecretsTests
{
    [Fact]
    public void EverySecretPublishedInTheComposeFileAndTheDevelopmentSettingsIsKnown()
    {
        // One per kind of secret each file publishes: the list is read from the files, not written beside them.
        Assert.Superset(new HashSet<string>
        {
            "dev-only-db-password", "dev-only-migrator-password", "dev-only-app-secret", "dev-only-bureau-key", "dev-only-minio-password",
            "dev-only-admin-password", "dev-only-NOT-A-SECRET-hl-signing-key-replace-before-production-0",
            "ZGV2ZWxvcG1lbnQtb25seS1rZXktZG8tbm90LXVzZSE=", "ZGV2ZWxvcG1lbnQtb25seS1oYXNoLWtleS1kby1ub3QtdXNlIQ==",
            "development-only-signing-key-change-me-0123456789abcdef0123456789", "development-only-admin-password",
            "development-only-app-secret", "development-only-bureau-key",
        }, PublishedSecrets.Values.ToHashSet());
        Assert.DoesNotContain("wx_sandbox_app", PublishedSecrets.Values); // an id, not a secret
        Assert.DoesNotContain("headless_loan", PublishedSecrets.Values);
    }

    [Fact]
    public void SettingsHoldingAPublishedSecretAreNamed_ConnectionStringsIncluded()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Auth:SigningKey"] = "development-only-signing-key-change-me-0123456789abcdef0123456789",
            ["ConnectionStrings:Database"] = "Server=db;User ID=headless_loan;Password=dev-only-db-password",
            ["Bootstrap:AdminPassword"] = "a-password-of-our-own-1",
            ["Bootstrap:AdminUsername"] = "admin",
        }).Build();

        Assert.Equal(["Auth:SigningKey", "ConnectionStrings:Database"], PublishedSecrets.FoundIn(configuration));
    }

    [Fact]
    public void OutsideDevelopmentAPublishedSecretStopsTheStart_InDevelopmentItDoesNot()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PersonalData:HashKey"] = "ZGV2ZWxvcG1lbnQtb25seS1oYXNoLWtleS1kby1ub3QtdXNlIQ==",
        }).Build();

        var refused = Assert.Throws<InvalidOperationException>(() => PublishedSecrets.RefuseOutsideDevelopment(configuration, new Environment("Production")));
        Assert.Contains("PersonalData:HashKey", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("ZGV2ZWxvcG1lbnQ", refused.Message, StringComparison.Ordinal);
        PublishedSecrets.RefuseOutsideDevelopment(configuration, new Environment("Development"));
    }

    [Fact]
    public void The_test_only_wechat_pay_keys_are_published_secrets_but_public_keys_and_ids_are_not()
    {
        Assert.Contains("sandbox-test-only-apiv3-key-0001", PublishedSecrets.Values);
        Assert.Contains(PemBody("merchant-private-key.TEST-ONLY.pem"), PublishedSecrets.Values);
        Assert.DoesNotContain(PublishedSecrets.Values, v => v.Contains("wechatpay-public-key.TEST-ONLY.pem", StringComparison.Ordinal));
        Assert.DoesNotContain(PemBody("wechatpay-public-key.TEST-ONLY.pem"), PublishedSecrets.Values);
        Assert.DoesNotContain("PUB_KEY_ID_0119000001092026010100000001", PublishedSecrets.Values);
    }

    [Fact]
    public void A_key_setting_naming_a_copy_of_the_test_merchant_key_or_holding_it_inline_is_found()
    {
        var copy = Path.Combine(Path.GetTempPath(), $"apiclient_key-{Guid.NewGuid():N}.pem");
        File.Copy(WeChatPay.WeChatPayTestKeys.File("merchant-private-key.TEST-ONLY.pem"), copy);
        try
        {
            var inlineWithOtherLineBreaks = File.ReadAllText(WeChatPay.WeChatPayTestKeys.File("merchant-private-key.TEST-ONLY.pem")).ReplaceLineEndings("\r\n");
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["WeChatPay:MerchantPrivateKey"] = copy,
                ["Other:MerchantPrivateKey"] = inlineWithOtherLineBreaks,
                ["WeChatPay:PublicKey"] = WeChatPay.WeChatPayTestKeys.File("wechatpay-public-key.TEST-ONLY.pem"),
                ["WeChatPay:ApiV3Key"] = "sandbox-test-only-apiv3-key-0001",
                ["Own:MerchantPrivateKey"] = Path.GetTempPath(),
            }).Build();

            Assert.Equal(["Other:MerchantPrivateKey", "WeChatPay:ApiV3Key", "WeChatPay:MerchantPrivateKey"], PublishedSecrets.FoundIn(configuration));
        }
        finally
        {
            File.Delete(copy);
        }
    }

    [Fact]
    public void The_development_settings_key_path_is_refused_outside_development_relative_to_the_content_root()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["WeChatPay:MerchantPrivateKey"] = "../HeadlessLoan.Sandbox/wechatpay-test-keys/merchant-private-key.TEST-ONLY.pem",
        }).Build();

        var refused = Assert.Throws<InvalidOperationException>(() => PublishedSecrets.RefuseOutsideDevelopment(configuration,
            new Environment("Production") { ContentRootPath = Repository.File("src", "HeadlessLoan.Api") }));

        Assert.Contains("WeChatPay:MerchantPrivateKey", refused.Message, StringComparison.Ordinal);
    }

    private static string PemBody(string file) =>
        string.Concat(File.ReadAllLines(WeChatPay.WeChatPayTestKeys.File(file)).SkipWhile(l => !l.StartsWith("-----BEGIN", StringComparison.Ordinal)).Skip(1)
            .TakeWhile(l => !l.StartsWith("-----END", StringComparison.Ordinal)));

    private sealed class Environment(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;

        public string ApplicationName { get; set; } = "HeadlessLoan.Api";

        public string ContentRootPath { get; set; } = "";

        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = null!;
    }
}

/// <summary>The real start-up, outside Development, with the compose file's published admin password.</summary>
public sealed class PublishedSecretAtStartTests
{
    [Fact]
    public void TheServiceRefusesToStart()
    {
        using var factory = new PublishedAdminPasswordFactory();

        var refused = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains("Bootstrap:AdminPassword", Flatten(refused), StringComparison.Ordinal);
    }

    private static string Flatten(Exception e) => e.InnerException is null ? e.Message : e.Message + " " + Flatten(e.InnerException);

    private sealed class PublishedAdminPasswordFactory : ApiFactory
    {
        protected override IReadOnlyDictionary<string, string?> Settings =>
            new Dictionary<string, string?> { ["Bootstrap:AdminPassword"] = "dev-only-admin-password" };
    }
}
