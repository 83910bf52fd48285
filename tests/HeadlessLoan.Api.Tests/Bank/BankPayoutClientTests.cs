using System.Text;
using System.Text.Json;
using HeadlessLoan.Api.Integrations.Bank;
using HeadlessLoan.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace HeadlessLoan.Api.Tests.Bank;

/// <summary>The real sandbox playing the payout bank, and a notify_url of our own that verifies what it receives.</summary>
public sealed class BankSandboxFixture : IDisposable
{
    private readonly ServiceProvider _listening;
    private readonly ServiceProvider _services;

    public BankSandboxFixture()
    {
        _listening = BankTestSettings.Services(BankTestSettings.Settings(Sandbox, "http://127.0.0.1:9/v1/webhooks/bank"));
        Listener = new BankCallbackListener(_listening.GetRequiredService<BankCallbackVerifier>());
        _services = BankTestSettings.Services(Settings());
        Client = _services.GetRequiredService<BankPayoutClient>();
    }

    public SandboxHost Sandbox { get; } = new();

    public BankCallbackListener Listener { get; }

    public BankPayoutClient Client { get; }

    /// <summary>The service's settings for this sandbox and this listener.</summary>
    public Dictionary<string, string?> Settings() => BankTestSettings.Settings(Sandbox, Listener.Url);

    public void Dispose()
    {
        _services.Dispose();
        Listener.Dispose();
        _listening.Dispose();
        Sandbox.Dispose();
    }
}

public sealed class BankPayoutClientTests(BankSandboxFixture bank) : IClassFixture<BankSandboxFixture>
{
    private static readonly TimeSpan CallbackWait = TimeSpan.FromSeconds(6);

    private BankPayoutClient Client => bank.Client;

    private static PayoutRequest Payout(long amount, string? payoutNo = null) =>
        new(payoutNo ?? "P" + Guid.NewGuid().ToString("N")[..24], "6222020300000000426", "张三", amount, "HeadlessLoan 放款");

    [Fact]
    public async Task An_ordinary_payout_succeeds_at_once_and_its_callback_arrives_signed_and_verified()
    {
        var payout = Payout(1_234_500);

        var paid = await Client.SubmitAsync(payout, default);

        Assert.Equal((payout.PayoutNo, PayoutState.Succeeded, null), (paid.PayoutNo, paid.State, paid.FailureCode));
        Assert.StartsWith("BR", paid.BankReference, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromHours(8), paid.CompletedAt!.Value.Offset);
        var called = Assert.Single(await bank.Listener.ForPayoutAsync(payout.PayoutNo, 1, CallbackWait));
        Assert.Equal(paid, called);
    }

    [Fact]
    public async Task What_the_sandbox_received_is_the_documented_payout_signed_by_our_merchant()
    {
        var payout = Payout(100);

        await Client.SubmitAsync(payout, default);

        var logged = bank.Sandbox.Server.LogEntries.Last(e => e.RequestMessage.Path == "/bank/v1/payouts");
        using var body = JsonDocument.Parse(logged.RequestMessage.Body!);
        var root = body.RootElement;
        Assert.Equal(["merchant_id", "payout_no", "account_number", "account_name", "amount", "remark", "notify_url"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal((BankTestSettings.MerchantId, 100L, bank.Listener.Url), (root.GetProperty("merchant_id").GetString(), root.GetProperty("amount").GetInt64(),
            root.GetProperty("notify_url").GetString()));
        Assert.Equal(JsonValueKind.Number, root.GetProperty("amount").ValueKind);
        var headers = logged.RequestMessage.Headers!;
        Assert.Equal(BankTestSettings.MerchantId, headers["X-Bank-Merchant"][0]);
        Assert.Matches("^[0-9A-Z]{32}$", headers["X-Bank-Nonce"][0]);
        Assert.Equal(44, headers["X-Bank-Signature"][0].Length);
        Assert.DoesNotContain(headers, h => h.Value.Any(v => v.Contains(bank.Sandbox.BankApiSecret, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task An_amount_ending_001_is_refused_at_once_as_an_invalid_account()
    {
        var refused = await Client.SubmitAsync(Payout(50_001), default);

        Assert.Equal((PayoutState.Failed, BankErrorCodes.AccountInvalid, null), (refused.State, refused.FailureCode, refused.BankReference));
        Assert.NotNull(refused.FailureMessage);
    }

    [Fact]
    public async Task An_amount_ending_002_is_processing_then_succeeds_by_a_verified_callback()
    {
        var payout = Payout(50_002);

        var accepted = await Client.SubmitAsync(payout, default);
        var called = Assert.Single(await bank.Listener.ForPayoutAsync(payout.PayoutNo, 1, CallbackWait));

        Assert.Equal((PayoutState.Processing, null, null), (accepted.State, accepted.BankReference, accepted.CompletedAt));
        Assert.Equal(PayoutState.Succeeded, called.State);
        Assert.Equal(called, await Client.QueryAsync(payout.PayoutNo, default));
    }

    [Fact]
    public async Task An_amount_ending_003_is_processing_then_fails_by_callback_as_a_frozen_account()
    {
        var payout = Payout(50_003);

        var accepted = await Client.SubmitAsync(payout, default);
        var called = Assert.Single(await bank.Listener.ForPayoutAsync(payout.PayoutNo, 1, CallbackWait));

        Assert.Equal(PayoutState.Processing, accepted.State);
        Assert.Equal((PayoutState.Failed, BankErrorCodes.AccountFrozen, null), (called.State, called.FailureCode, called.BankReference));
        Assert.NotNull(called.CompletedAt);
    }

    [Fact]
    public async Task An_amount_ending_004_never_calls_back_and_only_a_query_finds_it_succeeded()
    {
        var payout = Payout(50_004);

        var accepted = await Client.SubmitAsync(payout, default);
        var found = await QueryUntilFinishedAsync(payout.PayoutNo);

        Assert.Equal(PayoutState.Processing, accepted.State);
        Assert.Equal(PayoutState.Succeeded, found.State);
        Assert.Empty(await bank.Listener.ForPayoutAsync(payout.PayoutNo, 1, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task An_amount_ending_005_calls_back_three_times_with_one_and_the_same_payout()
    {
        var payout = Payout(50_005);

        await Client.SubmitAsync(payout, default);
        var copies = await bank.Listener.ForPayoutAsync(payout.PayoutNo, 3, CallbackWait);

        Assert.Equal(3, copies.Count);
        Assert.Single(copies.Distinct());
        Assert.Equal(PayoutState.Succeeded, copies[0].State);
    }

    [Fact]
    public async Task The_same_payout_no_submitted_again_answers_the_first_payout_and_pays_once()
    {
        var payout = Payout(88_000);

        var first = await Client.SubmitAsync(payout, default);
        var again = await Client.SubmitAsync(payout with { Remark = "重试" }, default);

        Assert.Equal(first, again);
        Assert.Single(await bank.Listener.ForPayoutAsync(payout.PayoutNo, 2, TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public async Task Another_amount_or_account_under_a_used_payout_no_is_the_conflict_exception()
    {
        var payout = Payout(66_000);
        var first = await Client.SubmitAsync(payout, default);

        var otherAmount = await Assert.ThrowsAsync<BankPayoutConflictException>(() => Client.SubmitAsync(payout with { Amount = 66_100 }, default));
        var otherAccount = await Assert.ThrowsAsync<BankPayoutConflictException>(() => Client.SubmitAsync(payout with { AccountNumber = "6222020300000000004" }, default));

        Assert.Equal((payout.PayoutNo, 409, BankErrorCodes.PayoutNoConflict), (otherAmount.PayoutNo, otherAmount.StatusCode, otherAmount.Code));
        Assert.Equal(payout.PayoutNo, otherAccount.PayoutNo);
        Assert.Equal(first, await Client.QueryAsync(payout.PayoutNo, default));
    }

    [Fact]
    public async Task A_payout_no_the_bank_does_not_know_queries_as_null()
    {
        Assert.Null(await Client.QueryAsync("P-never-submitted-0001", default));
    }

    [Fact]
    public async Task Signed_with_another_api_secret_a_payout_is_refused_as_sign_error_not_as_unavailability()
    {
        var settings = bank.Settings();
        settings["Bank:ApiSecret"] = "another-api-secret-of-ours-0001";
        using var services = BankTestSettings.Services(settings);

        var refused = await Assert.ThrowsAsync<BankRefusedException>(() => services.GetRequiredService<BankPayoutClient>().SubmitAsync(Payout(100), default));

        Assert.Equal((401, BankErrorCodes.SignError), (refused.StatusCode, refused.Code));
        Assert.IsNotType<BankPayoutConflictException>(refused);
        Assert.DoesNotContain("another-api-secret", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_answer_signed_under_a_callback_secret_we_do_not_have_is_not_believed()
    {
        var settings = bank.Settings();
        settings["Bank:CallbackSecret"] = "a-callback-secret-the-bank-never-had";
        using var services = BankTestSettings.Services(settings);

        var e = await Assert.ThrowsAsync<BankUnavailableException>(() => services.GetRequiredService<BankPayoutClient>().QueryAsync("P-any-0001", default));

        Assert.Contains(nameof(BankRefusal.SignatureInvalid), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task While_the_bank_still_signs_under_the_previous_callback_secret_its_answers_are_believed()
    {
        var settings = bank.Settings();
        settings["Bank:CallbackSecret"] = "the-next-callback-secret-0002";
        settings["Bank:PreviousCallbackSecret"] = bank.Sandbox.BankCallbackSecret;
        using var services = BankTestSettings.Services(settings);
        var payout = Payout(3_000);

        var paid = await services.GetRequiredService<BankPayoutClient>().SubmitAsync(payout, default);

        Assert.Equal(PayoutState.Succeeded, paid.State);
    }

    [Fact]
    public async Task Spoilt_callbacks_sent_again_are_refused_by_the_verifier_and_the_sandbox_reports_our_answer()
    {
        var payout = Payout(77_000);
        await Client.SubmitAsync(payout, default);
        await bank.Listener.ForPayoutAsync(payout.PayoutNo, 1, CallbackWait);
        using var http = new HttpClient { BaseAddress = new Uri(bank.Sandbox.Url) };

        foreach (var (variant, status) in new[] { ("as-sent", 204), ("bad-signature", 401), ("stale-timestamp", 401), ("unsigned", 401) })
        {
            using var answer = await http.PostAsync(new Uri("/sandbox/bank/callbacks/resend", UriKind.Relative), new StringContent(
                $$"""{"payout_no":"{{payout.PayoutNo}}","variant":"{{variant}}"}""", Encoding.UTF8, "application/json"));
            using var reply = JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
            Assert.True(status == reply.RootElement.GetProperty("status").GetInt32(), variant);
        }

        Assert.Equal(2, (await bank.Listener.ForPayoutAsync(payout.PayoutNo, 2, TimeSpan.FromSeconds(1))).Count);
        var refusals = bank.Listener.Received.Where(r => !r.IsAccepted).Select(r => r.Refusal).TakeLast(3);
        Assert.Equal([BankRefusal.SignatureInvalid, BankRefusal.TimestampOutsideWindow, BankRefusal.SignatureMissing], refusals);
    }

    [Fact]
    public async Task The_bank_out_of_reach_is_unavailability_not_an_error_of_ours()
    {
        using var services = BankTestSettings.Services(BankTestSettings.Settings("http://127.0.0.1:9"));

        var e = await Assert.ThrowsAsync<BankUnavailableException>(() => services.GetRequiredService<BankPayoutClient>().SubmitAsync(Payout(100), default));

        Assert.StartsWith("The bank could not be reached", e.Message, StringComparison.Ordinal);
    }

    private async Task<PayoutResult> QueryUntilFinishedAsync(string payoutNo)
    {
        var until = DateTime.UtcNow + CallbackWait;
        while (true)
        {
            var found = await Client.QueryAsync(payoutNo, default);
            if (found!.State != PayoutState.Processing || DateTime.UtcNow > until)
            {
                return found;
            }

            await Task.Delay(100);
        }
    }
}
