using System.Net;
using System.Text.Json.Nodes;
using HeadlessLoan.Api.Tests.Infrastructure;

namespace HeadlessLoan.Api.Tests.Contract;

public sealed class ContractDriftTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task ServerMapsExactlyWhatTheContractDescribes()
    {
        using var client = api.CreateClient();
        var contract = JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json"))!.AsObject();
        var served = JsonNode.Parse(await client.GetStringAsync("/openapi/_described/described.json"))!.AsObject();

        var differences = ContractComparer.Differences(contract, served);

        Assert.True(differences.Count == 0, "Contract drift:\n" + string.Join("\n", differences));
    }

    [Fact]
    public async Task ComparerNoticesAMissingOperationAndAChangedSchema()
    {
        using var client = api.CreateClient();
        var served = JsonNode.Parse(await client.GetStringAsync("/openapi/_described/described.json"))!.AsObject();
        var contract = served.DeepClone().AsObject();
        contract["paths"]!.AsObject().Remove("/v1/me");
        contract["components"]!["schemas"]!["QuotePeriod"]!["properties"]!.AsObject().Remove("interest");

        var differences = ContractComparer.Differences(contract, served);

        Assert.Contains(differences, d => d.StartsWith("GET /v1/me: mapped by the server but missing from the contract", StringComparison.Ordinal));
        Assert.Contains(differences, d => d.StartsWith("POST /v1/schedules/quote response 200", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheContractsServersAreRelativeSoTryItOutCallsWhereverTheServiceRuns()
    {
        using var client = api.CreateClient();
        var contract = JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json"))!;

        var servers = contract["servers"]!.AsArray().Select(s => s!["url"]!.GetValue<string>()).ToList();

        Assert.NotEmpty(servers);
        Assert.All(servers, url => Assert.True(url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal), $"server url {url} names a host"));
    }

    [Fact]
    public async Task ContractIsServedAsYamlAndJsonAndDocsShowIt()
    {
        using var client = api.CreateClient();
        var yaml = await client.GetAsync("/openapi/v1.yaml");
        var json = await client.GetAsync("/openapi/v1.json");
        var docs = await client.GetAsync("/docs/index.html");

        Assert.Equal(HttpStatusCode.OK, yaml.StatusCode);
        Assert.Equal("application/yaml", yaml.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("openapi: 3.0.3", (await yaml.Content.ReadAsStringAsync()).TrimStart('\uFEFF'), StringComparison.Ordinal);
        Assert.StartsWith("3.0.", JsonNode.Parse(await json.Content.ReadAsStringAsync())!["openapi"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
        Assert.Contains("/openapi/v1.json", await client.GetStringAsync("/docs/index.js"), StringComparison.Ordinal);
    }
}
