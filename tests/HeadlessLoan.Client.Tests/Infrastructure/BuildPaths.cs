using System.Reflection;

namespace HeadlessLoan.Client.Tests.Infrastructure;

/// <summary>Paths MSBuild baked into this assembly (see EmbedHeadlessLoanPaths in the project file).</summary>
public static class BuildPaths
{
    /// <summary>HeadlessLoan.Api.dll as built for this configuration; <c>HL_API_DLL</c> overrides it.</summary>
    public static string ApiDll => Environment.GetEnvironmentVariable("HL_API_DLL") is { Length: > 0 } overridden
        ? overridden
        : Metadata("HeadlessLoanApiPath");

    /// <summary>The repository's root folder.</summary>
    public static string RepositoryRoot => Metadata("HeadlessLoanRepositoryRoot");

    /// <summary>The configuration this test assembly (and the SDK it tests) was built in: Debug or Release.</summary>
    public static string Configuration => Metadata("HeadlessLoanConfiguration");

    /// <summary>The hand-written contract the SDK is generated from.</summary>
    public static string Contract => Path.Combine(RepositoryRoot, "openapi", "headless-loan.v1.yaml");

    private static string Metadata(string key)
    {
        var value = typeof(BuildPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(attribute => attribute.Key == key)?.Value;
        return string.IsNullOrEmpty(value)
            ? throw new InvalidOperationException($"Assembly metadata '{key}' is missing: build the test project with MSBuild (dotnet build).")
            : value;
    }
}
