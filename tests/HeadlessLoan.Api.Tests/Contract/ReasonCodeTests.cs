using HeadlessLoan.Api.Tests.Infrastructure;
using HeadlessLoan.Domain.Approvals;
using HeadlessLoan.Domain.Decisions;
using NSwag;

namespace HeadlessLoan.Api.Tests.Contract;

/// <summary>Every reason code an application can carry is listed in the contract's enum and in docs/decisions.md, and nothing else is.</summary>
public sealed class ReasonCodeTests
{
    private static readonly IReadOnlyList<string> CodesInTheCode =
    [
        .. DecisionReasonCodes.All, ApprovalReasons.ApprovedCode, .. ApprovalReasons.Rejections.Keys, .. ApprovalReasons.Returns.Keys,
    ];

    [Fact]
    public async Task TheContractsEnumListsExactlyTheCodesTheServiceGives()
    {
        var contract = await OpenApiYamlDocument.FromFileAsync(Repository.File("openapi", "headless-loan.v1.yaml"));
        var listed = contract.Components.Schemas["ApplicationReasonCode"].Enumeration.Select(v => (string)v!).ToList();

        Assert.Equal(CodesInTheCode.Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
        Assert.Equal(listed.Count, listed.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task TheReviewersCodesAreAnEnumOfTheRejectionAndReturnCodes()
    {
        var contract = await OpenApiYamlDocument.FromFileAsync(Repository.File("openapi", "headless-loan.v1.yaml"));
        var listed = contract.Components.Schemas["ApprovalReasonCode"].Enumeration.Select(v => (string)v!).Order(StringComparer.Ordinal);

        Assert.Equal(ApprovalReasons.Rejections.Keys.Concat(ApprovalReasons.Returns.Keys).Order(StringComparer.Ordinal), listed);
    }

    [Fact]
    public void TheDecisionsDocumentHasARowForEachCode()
    {
        var rows = File.ReadLines(Repository.File("docs", "decisions.md"))
            .Where(line => line.StartsWith("| `", StringComparison.Ordinal))
            .Select(line => line.Split('`')[1])
            .ToList();

        Assert.Equal(CodesInTheCode.Order(StringComparer.Ordinal), rows.Order(StringComparer.Ordinal));
    }
}
