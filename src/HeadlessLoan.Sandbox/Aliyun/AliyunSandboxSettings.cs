namespace HeadlessLoan.Sandbox.Aliyun;

/// <summary>
/// The Aliyun account the sandbox's SMS and voice notifications know, and how long their receipts take. The defaults are
/// the TEST-ONLY account of docs/sandbox.md, whose secret is published; a test that starts the service outside
/// Development (which refuses published secrets) gives the sandbox a secret of its own.
/// </summary>
public sealed record AliyunSandboxSettings
{
    public const string TestOnlyAccessKeyId = "LTAI_SANDBOX_TEST_ONLY_0001";
    public const string TestOnlyAccessKeySecret = "sandbox-test-only-aliyun-access-key-secret-0001";

    public static readonly TimeSpan DefaultDelay = TimeSpan.FromSeconds(1);

    public string AccessKeyId { get; init; } = TestOnlyAccessKeyId;

    /// <summary>What the account's requests are signed with.</summary>
    public string AccessKeySecret { get; init; } = TestOnlyAccessKeySecret;

    /// <summary>How long after it is accepted an SMS's receipt comes, and a call ends.</summary>
    public TimeSpan Delay { get; init; } = DefaultDelay;

    /// <summary>
    /// Aliyun's time: the window it checks request timestamps against, when receipts come and calls end, when the outbox
    /// says it received something. The system's, unless a test gives it the clock it holds the service to.
    /// </summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;
}
