namespace HeadlessLoan.Sandbox.WeChatPay;

/// <summary>
/// The merchant WeChat Pay knows in the sandbox. The defaults are the TEST-ONLY merchant of docs/sandbox.md, whose
/// private key and APIv3 key are published; a test that starts the service outside Development (which refuses
/// published secrets) gives the sandbox a merchant certificate and an APIv3 key of its own.
/// </summary>
public sealed record WeChatPaySandboxSettings
{
    public const string TestOnlyApiV3Key = "sandbox-test-only-apiv3-key-0001";

    /// <summary>The merchant API certificate (PEM) whose key signs the merchant's requests; null for the TEST-ONLY one.</summary>
    public string? MerchantCertificatePem { get; init; }

    /// <summary>The APIv3 key notifications are sealed with (32 characters).</summary>
    public string ApiV3Key { get; init; } = TestOnlyApiV3Key;

    /// <summary>WeChat Pay's time (its signatures' timestamps, the window it checks ours against, payment times).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;
}
