namespace HeadlessLoan.Api.Tests.Infrastructure;

/// <summary>
/// Where the real MariaDB and Redis for tests are: scripts/test.sh starts them and exports these variables.
/// Missing variables fail the tests loudly: a suite that silently skips its database runs nothing.
/// </summary>
public static class TestServers
{
    public static string Database => Environment.GetEnvironmentVariable("HL_TEST_DATABASE")
        ?? throw new InvalidOperationException("HL_TEST_DATABASE is not set: run the tests with scripts/test.sh, which starts MariaDB and Redis.");

    public static string Redis => Environment.GetEnvironmentVariable("HL_TEST_REDIS")
        ?? throw new InvalidOperationException("HL_TEST_REDIS is not set: run the tests with scripts/test.sh, which starts MariaDB and Redis.");
}
