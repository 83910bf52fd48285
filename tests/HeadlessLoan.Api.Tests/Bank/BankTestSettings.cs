using System.Text;
using HeadlessLoan.Api.Integrations.Bank;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace HeadlessLoan.Api.Tests.Bank;

/// <summary>The sandbox bank's TEST-ONLY merchant, as the service is configured with it, and the bank's side of its signatures.</summary>
public static class BankTestSettings
{
    public const string MerchantId = "sandbox_merchant_0001";
    public const string ApiSecret = "sandbox-test-only-bank-api-secret-0001";
    public const string CallbackSecret = "sandbox-test-only-bank-callback-secret-0001";

    /// <summary>The <c>Bank</c> section of a configuration pointing at <paramref name="baseUrl"/>, with the published TEST-ONLY secrets.</summary>
    public static Dictionary<string, string?> Settings(string baseUrl = "http://127.0.0.1:1", string notifyUrl = "http://127.0.0.1:1/v1/webhooks/bank") => new()
    {
        ["Bank:BaseUrl"] = baseUrl,
        ["Bank:MerchantId"] = MerchantId,
        ["Bank:ApiSecret"] = ApiSecret,
        ["Bank:CallbackSecret"] = CallbackSecret,
        ["Bank:NotifyUrl"] = notifyUrl,
        ["Bank:RetryDelayMilliseconds"] = "0",
        // Generous: these tests share two cores with parallel test classes, and what they test is not the timeout.
        ["Bank:TimeoutSeconds"] = "10",
    };

    /// <summary>The <c>Bank</c> section for <paramref name="sandbox"/>'s bank, under the secrets that sandbox was given.</summary>
    public static Dictionary<string, string?> Settings(Infrastructure.SandboxHost sandbox, string notifyUrl)
    {
        var settings = Settings(sandbox.Url, notifyUrl);
        settings["Bank:MerchantId"] = sandbox.BankMerchantId;
        settings["Bank:ApiSecret"] = sandbox.BankApiSecret;
        settings["Bank:CallbackSecret"] = sandbox.BankCallbackSecret;
        return settings;
    }

    /// <summary>The service's registration over <paramref name="configuration"/>.</summary>
    public static ServiceProvider Services(IConfiguration configuration, TimeProvider? clock = null) =>
        new ServiceCollection().AddSingleton(configuration).AddSingleton(clock ?? TimeProvider.System).AddBank(configuration).BuildServiceProvider();

    public static ServiceProvider Services(Dictionary<string, string?> settings, TimeProvider? clock = null) =>
        Services(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), clock);

    /// <summary>The headers the bank would send with <paramref name="body"/>, signed under <paramref name="secret"/> at <paramref name="at"/>.</summary>
    public static BankSignatureHeaders Sign(byte[] body, DateTimeOffset at, string secret = CallbackSecret, string nonce = "5K8264ILTKCH16CQ2502SI8ZNMTM67VS")
    {
        var timestamp = at.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new BankSignatureHeaders(timestamp, nonce, BankSignatures.Sign(secret, BankSignatures.AnswerMessage(timestamp, nonce, body)));
    }

    public static byte[] Payout(string payoutNo = "P1", string state = "SUCCEEDED") =>
        Encoding.UTF8.GetBytes($$"""{"payout_no":"{{payoutNo}}","state":"{{state}}","bank_reference":"BR00000000000000000042","failure_code":null,"failure_message":null,"completed_at":"2026-03-02T09:00:00+08:00"}""");
}
