namespace HeadlessLoan.Client.Tests.Infrastructure;

/// <summary>
/// Where the real MariaDB and Redis for tests are: the test script starts them and exports these variables.
/// Missing variables fail the tests loudly: a suite that silently skips its server runs nothing.
/// </summary>
public static class TestServers
{
    public static string Database => Required("HL_TEST_DATABASE", "a MySQL/MariaDB connection string without a database, e.g. Server=127.0.0.1;Port=13306;User ID=root;Password=;");

    public static string Redis => Required("HL_TEST_REDIS", "a Redis endpoint, e.g. 127.0.0.1:16379");

    private static string Required(string name, string what)
    {
        var value = Environment.GetEnvironmentVariable(name);
        return string.IsNullOrWhiteSpace(value)
            ? throw new InvalidOperationException(
                $"{name} is not set: the SDK tests start the real API, which needs {what}. Run the tests through the test script, which starts MariaDB and Redis and exports it.")
            : value;
    }
}
