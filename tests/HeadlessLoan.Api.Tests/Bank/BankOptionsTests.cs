using HeadlessLoan.Api.Integrations.Bank;
using HeadlessLoan.Api.Platform.Secrets;
using HeadlessLoan.Api.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static HeadlessLoan.Api.Tests.Bank.BankTestSettings;

namespace HeadlessLoan.Api.Tests.Bank;

public sealed class BankOptionsTests
{
    [Fact]
    public void The_development_settings_are_the_sandbox_banks_merchant_and_pass_the_checks()
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Repository.File("src", "HeadlessLoan.Api", "appsettings.Development.json")).Build();
        using var services = Services(configuration);

        var options = services.GetRequiredService<IOptionsMonitor<BankOptions>>().CurrentValue;

        Assert.Equal((MerchantId, ApiSecret, CallbackSecret), (options.MerchantId, options.ApiSecret, options.CallbackSecret));
        Assert.EndsWith("/v1/webhooks/bank", options.NotifyUrl, StringComparison.Ordinal);
        Assert.Null(options.PreviousCallbackSecret);
    }

    [Fact]
    public void The_sandbox_banks_secrets_are_published_secrets_refused_outside_development()
    {
        Assert.Contains(ApiSecret, PublishedSecrets.Values);
        Assert.Contains(CallbackSecret, PublishedSecrets.Values);
        Assert.DoesNotContain(MerchantId, PublishedSecrets.Values);
        var found = PublishedSecrets.FoundIn(new ConfigurationBuilder().AddInMemoryCollection(Settings()).Build());
        Assert.Equal(["Bank:ApiSecret", "Bank:CallbackSecret"], found);
    }

    public static TheoryData<string, string?, string> WrongSettings => new()
    {
        { "Bank:BaseUrl", null, "Bank:BaseUrl is required" },
        { "Bank:BaseUrl", "bank.example", "Bank:BaseUrl must be an absolute URL." },
        { "Bank:MerchantId", null, "Bank:MerchantId is required" },
        { "Bank:ApiSecret", null, "Bank:ApiSecret is required" },
        { "Bank:ApiSecret", "fifteen-chars!!", "Bank:ApiSecret must be at least 16 characters." },
        { "Bank:CallbackSecret", "fifteen-chars!!", "Bank:CallbackSecret must be at least 16 characters." },
        { "Bank:PreviousCallbackSecret", "fifteen-chars!!", "Bank:PreviousCallbackSecret must be at least 16 characters when it is set." },
        { "Bank:NotifyUrl", "/v1/webhooks/bank", "Bank:NotifyUrl must be an absolute URL." },
        { "Bank:TimeoutSeconds", "0", "TimeoutSeconds" },
    };

    [Theory]
    [MemberData(nameof(WrongSettings))]
    public void A_wrong_setting_stops_the_start_naming_the_setting_and_never_a_secret(string setting, string? value, string problem)
    {
        var settings = Settings();
        settings[setting] = value;
        using var services = Services(settings);

        var refused = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptionsMonitor<BankOptions>>().CurrentValue);

        Assert.Contains(refused.Failures, f => f.Contains(problem, StringComparison.Ordinal));
        Assert.DoesNotContain(refused.Failures, f => f.Contains(CallbackSecret, StringComparison.Ordinal) || f.Contains(ApiSecret, StringComparison.Ordinal)
            || f.Contains("fifteen-chars", StringComparison.Ordinal));
    }

    [Fact]
    public void An_empty_previous_callback_secret_is_no_previous_secret()
    {
        var settings = Settings();
        settings["Bank:PreviousCallbackSecret"] = "";
        using var services = Services(settings);

        var options = services.GetRequiredService<IOptionsMonitor<BankOptions>>().CurrentValue;

        Assert.Equal([CallbackSecret], options.CallbackSecrets());
    }

    [Fact]
    public void Printed_options_say_whether_a_secret_is_set_but_never_what_it_is()
    {
        var settings = Settings();
        settings["Bank:PreviousCallbackSecret"] = "the-callback-secret-before-0001";
        using var services = Services(settings);

        var printed = services.GetRequiredService<IOptionsMonitor<BankOptions>>().CurrentValue.ToString();

        Assert.Contains($"MerchantId = {MerchantId}", printed, StringComparison.Ordinal);
        Assert.Contains("ApiSecret = (set)", printed, StringComparison.Ordinal);
        Assert.Contains("PreviousCallbackSecret = (set)", printed, StringComparison.Ordinal);
        Assert.Contains("TimeoutSeconds = 10", printed, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-0001", printed, StringComparison.Ordinal);
        Assert.DoesNotContain("before-0001", printed, StringComparison.Ordinal);
    }

    [Fact]
    public void A_printed_payout_masks_the_account_number_and_the_holders_name()
    {
        var printed = new PayoutRequest("P-1", "6222020300000000426", "张三丰", 100_000, "放款").ToString();

        Assert.Equal("PayoutRequest { PayoutNo = P-1, AccountNumber = 622202*********0426, AccountName = 张**, Amount = 100000, Remark = 放款 }", printed);
    }
}
