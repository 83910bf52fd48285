using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HeadlessLoan.Api.Tests.Decisions;
using HeadlessLoan.Api.Tests.Infrastructure;

namespace HeadlessLoan.Api.Tests.Loans;

/// <summary>Intake in the background, as in production; the sandbox's few identities may repeat.</summary>
public class LoansFactory : ApiFactory
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Decisions:MaxApplicationsPerIdentity"] = "100000",
        ["Approvals:WorkersEnabled"] = "false",
        // Offers expire within a token's life, so a test can outlive an offer and still sign its requests.
        ["Loans:OfferValidHours"] = OfferValidHours.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Auth:TokenLifetimeMinutes"] = "1440",
    };

    public const int OfferValidHours = 2;
}

/// <summary>Brings an application to approval over HTTP and reads and accepts its offer.</summary>
public static class LoanFlow
{
    /// <summary>A product with a pricing table (700+ at 6 %, 600+ at 8 %, the rest at 10 %) and the given monthly fee.</summary>
    public static async Task<Guid> PricedProductAsync(ApiFactory api, decimal monthlyFeeRate = 0.001m, decimal annualRateMax = 0.10m)
    {
        using var admin = await api.CreateAdminClientAsync();
        var product = TestHttp.ValidProduct();
        product["ageMin"] = 18;
        product["ageMax"] = 65;
        product["annualRateMin"] = 0.05m;
        product["annualRateMax"] = annualRateMax;
        product["autoApprovalLimit"] = 2_000_000L;
        product["monthlyFeeRate"] = monthlyFeeRate;
        product["pricing"] = new object[] { new { minScore = 0, annualRate = annualRateMax }, new { minScore = 600, annualRate = 0.08m }, new { minScore = 700, annualRate = 0.06m } };
        return (await admin.CreateProductAsync(product)).GetProperty("id").GetGuid();
    }

    /// <summary>An application the credit check approved on its own; the borrower's client and its id.</summary>
    public static async Task<(HttpClient Borrower, Guid Id)> ApprovedAsync(ApiFactory api, Guid productId, long amount = 1_000_000)
    {
        var (client, id) = await IntakeFlow.DraftAsync(api, productId, amount: amount);
        await IntakeFlow.SubmitAsync(client, id);
        var decided = await IntakeFlow.DecidedAsync(client, id);
        Assert.Equal("approved", decided.GetProperty("status").GetString());
        return (client, id);
    }

    public static async Task<JsonElement> OfferAsync(HttpClient client, Guid applicationId)
    {
        var response = await client.GetAsync($"/v1/applications/{applicationId}/offer");
        await response.AssertStatusAsync(HttpStatusCode.OK);
        return await response.ReadJsonAsync();
    }

    /// <summary>The acceptance body that repeats what <paramref name="offer"/> shows.</summary>
    public static object AsShown(JsonElement offer) => new
    {
        annualRate = offer.GetProperty("annualRate").GetDecimal(),
        apr = offer.GetProperty("apr").GetDecimal(),
        totalRepayment = offer.GetProperty("totalRepayment").GetInt64(),
    };

    public static Task<HttpResponseMessage> AcceptAsync(HttpClient client, Guid applicationId, object body, string? key = null) =>
        client.PostWithKeyAsync($"/v1/applications/{applicationId}/accept", body, key ?? Guid.NewGuid().ToString());

    /// <summary>Approved, offered and accepted: the loan as acceptance answered it.</summary>
    public static async Task<(HttpClient Borrower, JsonElement Loan)> AcceptedAsync(ApiFactory api, Guid productId, long amount = 1_000_000)
    {
        var (client, id) = await ApprovedAsync(api, productId, amount);
        var accepted = await AcceptAsync(client, id, AsShown(await OfferAsync(client, id)));
        await accepted.AssertStatusAsync(HttpStatusCode.Created);
        return (client, await accepted.ReadJsonAsync());
    }
}
