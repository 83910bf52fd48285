using System.Reflection;
using HeadlessLoan.Api.Platform;
using HeadlessLoan.Domain.Money;
using NetArchTest.Rules;

namespace HeadlessLoan.Api.Tests.Architecture;

/// <summary>The arrows between the rooms: domain → nothing, platform → no feature or integration, feature → feature only through its offered types.</summary>
public sealed class DependencyRulesTests
{
    private const string Root = "HeadlessLoan.Api";
    private static readonly Assembly Api = typeof(PlatformSetup).Assembly;
    private static readonly Assembly Domain = typeof(Fen).Assembly;
    private static readonly string[] Rooms = ["Platform", "Integrations", "Features"];

    public static TheoryData<string> Features => new(FeatureNames());

    [Fact]
    public void Domain_references_only_the_base_class_library()
    {
        var outside = Domain.GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(n => n != "netstandard" && n != "mscorlib" && !n.StartsWith("System", StringComparison.Ordinal))
            .ToList();
        Assert.Empty(outside);
    }

    [Fact]
    public void Platform_depends_on_no_feature_and_no_integration()
    {
        var result = Types.InAssembly(Api).That().ResideInNamespace($"{Root}.Platform")
            .ShouldNot().HaveDependencyOnAny($"{Root}.Features", $"{Root}.Integrations").GetResult();
        Assert.True(result.IsSuccessful, Describe(result));
    }

    [Fact]
    public void Integrations_depend_on_no_feature()
    {
        var result = Types.InAssembly(Api).That().ResideInNamespace($"{Root}.Integrations")
            .ShouldNot().HaveDependencyOnAny($"{Root}.Features").GetResult();
        Assert.True(result.IsSuccessful, Describe(result));
    }

    [Fact]
    public void Every_type_lives_in_one_of_the_three_rooms()
    {
        var homeless = Api.GetTypes()
            .Where(t => t.Namespace is { } ns && ns.StartsWith(Root, StringComparison.Ordinal)
                && !Rooms.Any(room => ns.StartsWith($"{Root}.{room}", StringComparison.Ordinal)))
            .Select(t => t.FullName)
            .ToList();
        Assert.Empty(homeless);
    }

    [Theory]
    [MemberData(nameof(Features))]
    public void A_feature_reaches_another_only_through_what_it_offers(string feature)
    {
        var unoffered = FeatureNames().Where(other => other != feature)
            .SelectMany(other => Api.GetTypes().Where(t => t.Namespace == $"{Root}.Features.{other}"
                && t.DeclaringType is null && t.GetCustomAttribute<FeatureApiAttribute>() is null && !IsCompilerGenerated(t)))
            .Select(t => t.FullName!)
            .ToArray();
        var result = Types.InAssembly(Api).That().ResideInNamespace($"{Root}.Features.{feature}")
            .ShouldNot().HaveDependencyOnAny(unoffered).GetResult();
        Assert.True(result.IsSuccessful, Describe(result));
    }

    [Fact]
    public void The_rules_see_the_features()
    {
        Assert.Contains("Applications", FeatureNames());
        Assert.Contains("Approvals", FeatureNames());
        Assert.True(FeatureNames().Count >= 8);
    }

    private static List<string> FeatureNames() => Api.GetTypes()
        .Select(t => t.Namespace)
        .Where(ns => ns is not null && ns.StartsWith($"{Root}.Features.", StringComparison.Ordinal))
        .Select(ns => ns!.Split('.')[3])
        .Distinct()
        .Order(StringComparer.Ordinal)
        .ToList();

    private static bool IsCompilerGenerated(Type t) => t.Name.Contains('<', StringComparison.Ordinal);

    private static string Describe(TestResult result) =>
        "Offending types: " + string.Join("; ", (result.FailingTypes ?? []).Select(t => $"{t.FullName} {t.Explanation}"));
}
