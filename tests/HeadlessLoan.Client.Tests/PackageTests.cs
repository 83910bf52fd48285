using System.Reflection;
using HeadlessLoan.Client.Tests.Infrastructure;

namespace HeadlessLoan.Client.Tests;

/// <summary>
/// The SDK as its users get it: packed into a local feed, referenced as a package by a project of its own
/// (PackageConsumer/, outside the solution and the repository's build settings), built and run against the API.
/// </summary>
[Collection(ApiServerCollection.Name)]
public sealed class PackageTests(ApiServerFixture server)
{
    private static readonly TimeSpan DotnetTimeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task The_packed_sdk_works_in_a_project_that_references_it_from_a_local_feed()
    {
        var version = SdkVersion();
        var work = Directory.CreateTempSubdirectory("headlessloan-package-");
        try
        {
            var consumer = Path.Combine(work.FullName, "PackageConsumer");
            CopyFiles(Path.Combine(BuildPaths.RepositoryRoot, "tests", "HeadlessLoan.Client.Tests", "PackageConsumer"), consumer);
            var feed = Path.Combine(consumer, "feed");

            // --no-build: the SDK was built for this test run; packing it again must not rebuild what the tests use.
            var sdkProject = Path.Combine(BuildPaths.RepositoryRoot, "sdk", "HeadlessLoan.Client", "HeadlessLoan.Client.csproj");
            await DotnetAsync(consumer, "pack", sdkProject, "-c", BuildPaths.Configuration, "--no-build", "-o", feed);
            Assert.True(File.Exists(Path.Combine(feed, $"HeadlessLoan.Client.{version}.nupkg")), $"No HeadlessLoan.Client.{version}.nupkg in {feed}");

            await DotnetAsync(consumer, "build", consumer, "-c", "Release", $"-p:HeadlessLoanClientVersion={version}", "--disable-build-servers");
            Assert.True(
                Directory.Exists(Path.Combine(consumer, "packages", "headlessloan.client", version)),
                $"HeadlessLoan.Client {version} was not restored from the feed: an older copy of that version in {MachinePackagesFolder()} was used; delete it.");

            var run = await ProcessRunner.RunAsync("dotnet", [Path.Combine(consumer, "bin", "Release", "net10.0", "PackageConsumer.dll"), server.BaseUrl.ToString()], consumer, DotnetTimeout);
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Contains("monthly payment: 53073 fen", run.Output, StringComparison.Ordinal);
            Assert.Contains("without credentials: 401 unauthorized", run.Output, StringComparison.Ordinal);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>The version in the SDK's project file, as the built assembly carries it (without the source revision).</summary>
    private static string SdkVersion() =>
        typeof(HeadlessLoanClient).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];

    private static async Task DotnetAsync(string workingDirectory, params string[] arguments)
    {
        var result = await ProcessRunner.RunAsync("dotnet", arguments, workingDirectory, DotnetTimeout, new Dictionary<string, string?>
        {
            // Other packages come from the machine's cache, read only; the SDK's from the feed into the project's own packages/.
            ["NUGET_FALLBACK_PACKAGES"] = MachinePackagesFolder(),
            ["NUGET_PACKAGES"] = null,
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        });
        Assert.True(result.ExitCode == 0, $"dotnet {string.Join(' ', arguments)}: {result}");
    }

    private static string MachinePackagesFolder() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } folder
            ? folder
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    private static void CopyFiles(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }
}
