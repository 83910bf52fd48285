namespace HeadlessLoan.Sandbox.Bank;

/// <summary>
/// The bank the sandbox plays: the one merchant it knows, and how long its slow payouts stay PROCESSING. The defaults are
/// the TEST-ONLY merchant of docs/sandbox.md, whose secrets are published; a test that starts the service outside
/// Development (which refuses published secrets) gives the sandbox secrets of its own.
/// </summary>
public sealed record BankSandboxSettings
{
    public const string TestOnlyMerchantId = "sandbox_merchant_0001";
    public const string TestOnlyApiSecret = "sandbox-test-only-bank-api-secret-0001";
    public const string TestOnlyCallbackSecret = "sandbox-test-only-bank-callback-secret-0001";

    public static readonly TimeSpan DefaultDelay = TimeSpan.FromSeconds(1);

    public string MerchantId { get; init; } = TestOnlyMerchantId;

    /// <summary>What the merchant's requests are signed with.</summary>
    public string ApiSecret { get; init; } = TestOnlyApiSecret;

    /// <summary>What the bank signs its answers and callbacks with.</summary>
    public string CallbackSecret { get; init; } = TestOnlyCallbackSecret;

    /// <summary>How long payouts that take their time stay PROCESSING before they end (and call back).</summary>
    public TimeSpan Delay { get; init; } = DefaultDelay;

    /// <summary>
    /// The bank's time: its signatures' timestamps, the window it checks ours against, when payouts end. The system's,
    /// unless a test gives it the clock it holds the service to, so both sides agree on what now is.
    /// </summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;
}
