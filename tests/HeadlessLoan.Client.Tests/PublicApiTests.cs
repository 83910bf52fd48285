using HeadlessLoan.Client.Tests.Infrastructure;
using PublicApiGenerator;

namespace HeadlessLoan.Client.Tests;

/// <summary>Every change of the SDK's public surface is deliberate: it shows in PublicApi.approved.txt and is reviewed with the change.</summary>
public sealed class PublicApiTests
{
    private static string SdkFolder => Path.Combine(BuildPaths.RepositoryRoot, "sdk", "HeadlessLoan.Client");

    [Fact]
    public void Public_api_is_the_approved_one()
    {
        var approvedPath = Path.Combine(SdkFolder, "PublicApi.approved.txt");
        var receivedPath = Path.Combine(SdkFolder, "PublicApi.received.txt");
        var received = PublicApi();
        var approved = File.Exists(approvedPath) ? Normalize(File.ReadAllText(approvedPath)) : "";

        if (string.Equals(received, approved, StringComparison.Ordinal))
        {
            File.Delete(receivedPath);
            return;
        }

        File.WriteAllText(receivedPath, received);
        Assert.Fail($"""
            The SDK's public API differs from {approvedPath}.
            What it is now was written to {receivedPath}; compare the two. If the change is intended, accept it:
              cp sdk/HeadlessLoan.Client/PublicApi.received.txt sdk/HeadlessLoan.Client/PublicApi.approved.txt
            and commit the approved file with the change (a removed or changed member breaks the SDK's users: bump the major version).
            """);
    }

    [Fact]
    public void Public_api_text_is_the_same_on_every_build()
    {
        // Nothing that varies per build or per generator version (NSwag's GeneratedCode attribute) enters the baseline.
        Assert.DoesNotContain("GeneratedCode", PublicApi(), StringComparison.Ordinal);
        Assert.Equal(PublicApi(), PublicApi());
    }

    private static string PublicApi() => Normalize(typeof(HeadlessLoanClient).Assembly.GeneratePublicApi(new ApiGeneratorOptions
    {
        ExcludeAttributes = ["System.CodeDom.Compiler.GeneratedCodeAttribute"],
    }));

    private static string Normalize(string text) => text.ReplaceLineEndings("\n").TrimEnd() + "\n";
}
