namespace HeadlessLoan.Api.Tests.Infrastructure;

/// <summary>The repository the tests run from, for tests that read its files (scripts, docs, sources).</summary>
public static class Repository
{
    public static string Root { get; } = Find();

    public static string File(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "HeadlessLoan.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No HeadlessLoan.sln above {AppContext.BaseDirectory}.");
    }
}
