using HeadlessLoan.Domain.Approvals;

namespace HeadlessLoan.Domain.Tests.Approvals;

public sealed class ApprovalRoutingTests
{
    private static readonly IReadOnlyList<ApprovalRule> Defaults = ApprovalRouting.Defaults(deptHeadBelowScore: 650);
    private static readonly Guid Product = Guid.NewGuid();

    /// <summary>Every cell of the default table: amount band × score band (with the band edges), and no score at all.</summary>
    [Theory]
    [InlineData(100_000L, 720, 1, "risk_officer:1")]
    [InlineData(4_999_999L, 720, 1, "risk_officer:1")]
    [InlineData(4_999_999L, 500, 1, "risk_officer:1")]
    [InlineData(4_999_999L, null, 1, "risk_officer:1")]
    [InlineData(5_000_000L, 649, 2, "risk_officer:1,dept_head:1")]
    [InlineData(7_500_000L, 600, 2, "risk_officer:1,dept_head:1")]
    [InlineData(10_000_000L, 649, 2, "risk_officer:1,dept_head:1")]
    [InlineData(7_500_000L, null, 2, "risk_officer:1,dept_head:1")]
    [InlineData(5_000_000L, 650, 3, "risk_officer:1")]
    [InlineData(10_000_000L, 720, 3, "risk_officer:1")]
    [InlineData(10_000_001L, 720, 4, "risk_officer:1,dept_head:1")]
    [InlineData(10_000_001L, 600, 4, "risk_officer:1,dept_head:1")]
    [InlineData(50_000_000L, null, 4, "risk_officer:1,dept_head:1")]
    public void TheDefaultPolicyRoutesEachAmountAndScoreBand(long amount, int? score, int position, string steps)
    {
        var (routedBy, rule) = ApprovalRouting.Route(Defaults, new ApprovalSubject(Product, amount, score));

        Assert.Equal(position, routedBy);
        Assert.Equal(steps, ApprovalRouting.FormatSteps(rule.Steps));
    }

    [Fact]
    public void TheScoreThresholdIsConfigurable()
    {
        var strict = ApprovalRouting.Defaults(deptHeadBelowScore: 750);

        Assert.Equal(2, ApprovalRouting.Route(strict, new ApprovalSubject(Product, 6_000_000, 720)).Position);
        Assert.Equal(3, ApprovalRouting.Route(Defaults, new ApprovalSubject(Product, 6_000_000, 720)).Position);
    }

    [Fact]
    public void AProductRuleAheadOfTheDefaultsRoutesOnlyThatProduct()
    {
        var special = Guid.NewGuid();
        IReadOnlyList<ApprovalRule> rules = [new(special, null, null, null, null, [new("dept_head", 2)]), .. Defaults];

        Assert.Equal("dept_head:2", ApprovalRouting.FormatSteps(ApprovalRouting.Route(rules, new ApprovalSubject(special, 100_000, 720)).Rule.Steps));
        Assert.Equal(2, ApprovalRouting.Route(rules, new ApprovalSubject(Product, 100_000, 720)).Position);
    }

    [Fact]
    public void TheDefaultsAreValidAndStepsSurviveStorage()
    {
        Assert.Empty(ApprovalRouting.Validate(Defaults));
        Assert.All(Defaults, r => Assert.Equal(r.Steps, ApprovalRouting.ParseSteps(ApprovalRouting.FormatSteps(r.Steps))));
    }

    [Fact]
    public void ValidationNamesEveryBadPlace()
    {
        IReadOnlyList<ApprovalRule> rules =
        [
            new(null, 500, 100, 700, 600, [new("collector", 0)]),
            new(null, null, 1_000, null, null, []),
        ];

        var fields = ApprovalRouting.Validate(rules).Select(e => e.Field).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(
            ["rules[0].amountBelow", "rules[0].scoreBelow", "rules[0].steps[0].approvers", "rules[0].steps[0].role", "rules[1]", "rules[1].steps"],
            fields);
        Assert.Equal("rules", Assert.Single(ApprovalRouting.Validate([])).Field);
    }

    [Fact]
    public void APolicyWithoutACatchAllCannotRouteEverything()
    {
        IReadOnlyList<ApprovalRule> rules = [new(null, null, 100, null, null, [new("risk_officer", 1)])];

        Assert.Throws<InvalidOperationException>(() => ApprovalRouting.Route(rules, new ApprovalSubject(Product, 100, 700)));
    }
}
