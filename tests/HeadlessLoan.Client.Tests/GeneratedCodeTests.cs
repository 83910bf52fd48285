using System.Text.Json;
using System.Text.RegularExpressions;
using HeadlessLoan.Client.Tests.Infrastructure;

namespace HeadlessLoan.Client.Tests;

/// <summary>The SDK is generated from the contract in the build, and generated code never enters git.</summary>
public sealed partial class GeneratedCodeTests
{
    private const string GeneratedFolder = "sdk/HeadlessLoan.Client/Generated";

    [Fact]
    public async Task Generated_code_is_not_committed()
    {
        var tracked = await GitAsync("ls-files", "--", GeneratedFolder);
        Assert.True(tracked.Length == 0, $"Generated SDK code is tracked by git; remove it (git rm -r --cached {GeneratedFolder}):\n{tracked}");
    }

    [Fact]
    public async Task Generated_folder_is_ignored_by_git()
    {
        var ignored = await GitAsync("check-ignore", "--no-index", "--", GeneratedFolder + "/HeadlessLoanClient.g.cs");
        Assert.True(ignored.Length > 0, $"{GeneratedFolder}/ must be listed in .gitignore.");
    }

    [Fact]
    public void Every_operation_in_the_contract_is_a_client_method()
    {
        var contract = File.ReadAllText(BuildPaths.Contract);
        // Webhooks are called by outside parties, not by clients: the SDK keeps them out of its interface.
        var operationIds = OperationId().Matches(contract).Where(match => match.Groups[1].Value != "Webhooks").Select(match => match.Groups[2].Value).ToList();
        Assert.NotEmpty(operationIds);
        Assert.Contains("ReceiveBankCallback", OperationId().Matches(contract).Select(match => match.Groups[2].Value));

        var methods = typeof(IHeadlessLoanClient).GetMethods().Select(method => method.Name).ToHashSet(StringComparer.Ordinal);
        var missing = operationIds.Where(id => !methods.Contains(id + "Async")).ToList();
        Assert.True(missing.Count == 0, "Operations missing from IHeadlessLoanClient (stale generated code?): " + string.Join(", ", missing));
    }

    [Fact]
    public void Enums_travel_as_their_wire_names_also_inside_arrays()
    {
        var json = JsonSerializer.Serialize(TestProducts.Definition("Wire names"), HeadlessLoanJson.Options);

        Assert.Contains("\"repaymentMethods\":[\"equal_installment\",\"equal_principal\"]", json, StringComparison.Ordinal);
        Assert.Contains("\"allocationOrder\":\"interest_principal_penalty_fee\"", json, StringComparison.Ordinal);
        Assert.Contains("\"overpayment\":\"prepay\"", json, StringComparison.Ordinal);
        Assert.Contains("\"prepayment\":\"shorten_term\"", json, StringComparison.Ordinal);
        Assert.Contains("\"annualRateMax\":0.10", json, StringComparison.Ordinal);

        var back = JsonSerializer.Deserialize<ProductDefinition>(json, HeadlessLoanJson.Options)!;
        Assert.Equal([RepaymentMethod.EqualInstallment, RepaymentMethod.EqualPrincipal], back.RepaymentMethods);

        var withRules = TestProducts.Definition("Rules");
        withRules.AllocationRules = [new AllocationRule { Due = DueType.InAdvance, Component = OwedComponent.Principal }];
        Assert.Contains("\"allocationRules\":[{\"due\":\"in_advance\",\"component\":\"principal\"}]",
            JsonSerializer.Serialize(withRules, HeadlessLoanJson.Options), StringComparison.Ordinal);
    }

    [Fact]
    public void Options_need_an_absolute_base_url_and_one_credential()
    {
        Assert.Throws<InvalidOperationException>(() => HeadlessLoanClientFactory.Create(new HeadlessLoanClientOptions()));
        Assert.Throws<InvalidOperationException>(() => HeadlessLoanClientFactory.Create(new Uri("/relative", UriKind.Relative)));
        Assert.Throws<InvalidOperationException>(() => HeadlessLoanClientFactory.Create(new Uri("http://127.0.0.1:5080"), apiKey: "hlk_x", bearerToken: "t"));

        using var http = HeadlessLoanClientFactory.CreateHttpClient(new HeadlessLoanClientOptions { BaseUrl = new Uri("http://127.0.0.1:5080/base"), ApiKey = "hlk_abc" });
        Assert.Equal(new Uri("http://127.0.0.1:5080/base/"), http.BaseAddress);
        Assert.Equal("hlk_abc", Assert.Single(http.DefaultRequestHeaders.GetValues(HeadlessLoanClientFactory.ApiKeyHeader)));
        Assert.Null(http.DefaultRequestHeaders.Authorization);
    }

    [Fact]
    public void Problem_code_is_read_from_an_undeclared_error_answer_too()
    {
        var headers = new Dictionary<string, IEnumerable<string>>();
        var exception = new HeadlessLoanException("conflict", 409, """{"code":"idempotency_in_progress","status":409}""", headers, null);

        Assert.Equal("idempotency_in_progress", exception.ProblemCode);
        Assert.Null(new HeadlessLoanException("bad gateway", 502, "<html/>", headers, null).ProblemCode);
    }

    private static async Task<string> GitAsync(params string[] arguments)
    {
        var result = await ProcessRunner.RunAsync("git", arguments, BuildPaths.RepositoryRoot, TimeSpan.FromMinutes(1));
        // check-ignore exits 1 when the path is not ignored; anything above is a real failure.
        if (result.ExitCode > 1)
        {
            throw new InvalidOperationException($"git {string.Join(' ', arguments)} failed in {BuildPaths.RepositoryRoot}: {result}");
        }

        return result.Output;
    }

    [GeneratedRegex(@"^\s+tags:\s*\[(\w+)\]\s*\n\s+operationId:\s*(\w+)\s*$", RegexOptions.Multiline)]
    private static partial Regex OperationId();
}
