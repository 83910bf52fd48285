using HeadlessLoan.Api.Integrations.Blobs;

namespace HeadlessLoan.Api.Tests.Infrastructure;

/// <summary>
/// Where the real MariaDB, Redis and S3-compatible server for tests are: scripts/test.sh starts them and exports
/// these variables.
/// Missing variables fail the tests loudly: a suite that silently skips its database runs nothing.
/// </summary>
public static class TestServers
{
    public static string Database => Environment.GetEnvironmentVariable("HL_TEST_DATABASE")
        ?? throw new InvalidOperationException("HL_TEST_DATABASE is not set: run the tests with scripts/test.sh, which starts MariaDB and Redis.");

    public static string Redis => Environment.GetEnvironmentVariable("HL_TEST_REDIS")
        ?? throw new InvalidOperationException("HL_TEST_REDIS is not set: run the tests with scripts/test.sh, which starts MariaDB and Redis.");

    public static string S3 => Environment.GetEnvironmentVariable("HL_TEST_S3")
        ?? throw new InvalidOperationException("HL_TEST_S3 is not set: run the tests with scripts/test.sh, which starts an S3-compatible server (s3rver).");

    /// <summary>The test server's store settings for a bucket of the caller's own (s3rver's default credentials).</summary>
    public static S3BlobOptions S3Options(string bucket) => new()
    {
        ServiceUrl = S3,
        Bucket = bucket,
        AccessKey = "S3RVER",
        SecretKey = "S3RVER",
    };
}
