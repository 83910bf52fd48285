using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using HeadlessLoan.Api.Features.Loans;
using HeadlessLoan.Api.Tests.Applications;
using HeadlessLoan.Api.Tests.Decisions;
using Microsoft.Extensions.DependencyInjection;
using HeadlessLoan.Api.Tests.Infrastructure;

namespace HeadlessLoan.Api.Tests.Loans;

/// <summary>Intake in the background, as in production; the sandbox's few identities may repeat.</summary>
public class LoansFactory : ApiFactory
{
    public LoansFactory()
    {
        Relay.Target = CreateClient;
    }

    /// <summary>Where the sandbox bank's callbacks reach the in-memory service.</summary>
    public WebhookRelay Relay { get; } = new();

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Bank:NotifyUrl"] = Relay.Url + "/v1/webhooks/bank",
        // The tests run the payout worker themselves, so each knows when the bank was asked.
        ["Loans:PayoutsEnabled"] = "false",
        ["Decisions:MaxApplicationsPerIdentity"] = "100000",
        ["Approvals:WorkersEnabled"] = "false",
        // Offers expire within a token's life, so a test can outlive an offer and still sign its requests.
        ["Loans:OfferValidHours"] = OfferValidHours.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Auth:TokenLifetimeMinutes"] = "1440",
    };

    public const int OfferValidHours = 2;

    protected override void Dispose(bool disposing)
    {
        Relay.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>Brings an application to approval over HTTP and reads and accepts its offer.</summary>
public static class LoanFlow
{
    /// <summary>
    /// A product with a pricing table (700+ at 6 %, 600+ at 8 %, the rest at 10 %) and the given monthly fee; <paramref name="configure"/>
    /// changes the definition further.
    /// </summary>
    public static async Task<Guid> PricedProductAsync(
        ApiFactory api, decimal monthlyFeeRate = 0.001m, decimal annualRateMax = 0.10m, Action<Dictionary<string, object?>>? configure = null)
    {
        using var admin = await api.CreateAdminClientAsync();
        var product = PricedProduct(monthlyFeeRate, annualRateMax);
        configure?.Invoke(product);
        return (await admin.CreateProductAsync(product)).GetProperty("id").GetGuid();
    }

    /// <summary>The definition <see cref="PricedProductAsync"/> creates.</summary>
    public static Dictionary<string, object?> PricedProduct(decimal monthlyFeeRate = 0.001m, decimal annualRateMax = 0.10m)
    {
        var product = TestHttp.ValidProduct();
        product["ageMin"] = 18;
        product["ageMax"] = 65;
        product["annualRateMin"] = 0.05m;
        product["annualRateMax"] = annualRateMax;
        product["autoApprovalLimit"] = 2_000_000L;
        product["monthlyFeeRate"] = monthlyFeeRate;
        product["pricing"] = new object[] { new { minScore = 0, annualRate = annualRateMax }, new { minScore = 600, annualRate = 0.08m }, new { minScore = 700, annualRate = 0.06m } };
        return product;
    }

    /// <summary>An application the credit check approved on its own; the borrower's client and its id.</summary>
    public static async Task<(HttpClient Borrower, Guid Id)> ApprovedAsync(ApiFactory api, Guid productId, long amount = 1_000_000, HttpClient? borrower = null)
    {
        var (client, id) = await IntakeFlow.DraftAsync(api, productId, amount: amount, borrower: borrower);
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

    /// <summary>One turn of the payout worker: pending payouts submitted, overdue ones queried.</summary>
    public static Task<int> PayOutAsync(ApiFactory api) => api.Services.GetRequiredService<PayoutWorker>().RunOnceAsync(CancellationToken.None);

    public static async Task<JsonElement> LoanAsync(HttpClient client, Guid loanId)
    {
        var response = await client.GetAsync($"/v1/loans/{loanId}");
        await response.AssertStatusAsync(HttpStatusCode.OK);
        return await response.ReadJsonAsync();
    }

    /// <summary>Reads the loan until its status is no longer <paramref name="status"/> (callbacks come in the background).</summary>
    public static async Task<JsonElement> LoanLeavingAsync(HttpClient client, Guid loanId, string status, TimeSpan? patience = null)
    {
        var deadline = DateTime.UtcNow + (patience ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var loan = await LoanAsync(client, loanId);
            if (loan.GetProperty("status").GetString() != status || DateTime.UtcNow > deadline)
            {
                return loan;
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Approved, offered and accepted, paid out by the sandbox bank at once: the loan as it then reads.</summary>
    public static async Task<(HttpClient Borrower, JsonElement Loan)> ActiveAsync(ApiFactory api, Guid productId, long amount = 1_000_000, HttpClient? borrower = null)
    {
        var (client, loan) = await AcceptedAsync(api, productId, amount, borrower);
        await PayOutAsync(api);
        var active = await LoanAsync(client, loan.GetProperty("id").GetGuid());
        Assert.Equal("active", active.GetProperty("status").GetString());
        return (client, active);
    }

    /// <summary>Approved, offered and accepted: the loan as acceptance answered it.</summary>
    public static async Task<(HttpClient Borrower, JsonElement Loan)> AcceptedAsync(ApiFactory api, Guid productId, long amount = 1_000_000, HttpClient? borrower = null)
    {
        var (client, id) = await ApprovedAsync(api, productId, amount, borrower);
        var accepted = await AcceptAsync(client, id, AsShown(await OfferAsync(client, id)));
        await accepted.AssertStatusAsync(HttpStatusCode.Created);
        return (client, await accepted.ReadJsonAsync());
    }

    /// <summary>When <see cref="LongLoanAsync"/>'s loans were paid out: the schedule's earliest start, so that most of its history lies behind.</summary>
    public static readonly DateOnly LongLoanDisbursedOn = new(2000, 1, 31);

    /// <summary>
    /// A loan of 360 periods and 1,000 journal entries (<see cref="LongLoan"/>), written straight into the tables for an
    /// application <paramref name="owner"/> made through the API: the borrower's, or with <paramref name="customerRef"/> a channel's.
    /// </summary>
    public static async Task<Guid> LongLoanAsync(ApiFactory api, HttpClient owner, string? customerRef = null)
    {
        var productId = await api.CreateProductIdAsync();
        var applicationId = (await owner.CreateApplicationAsync(productId, customerRef)).GetProperty("id").GetGuid();
        await using var db = await api.OpenDatabaseAsync();
        var (borrowerId, channelId, version) = await db.QuerySingleAsync<(Guid?, Guid?, int)>(
            "SELECT borrower_id, channel_id, product_version FROM applications WHERE id = @applicationId", new { applicationId });
        return await LongLoan.SeedAsync(db, new LongLoanOwner(applicationId, productId, version, borrowerId, channelId), LongLoanDisbursedOn);
    }
}
