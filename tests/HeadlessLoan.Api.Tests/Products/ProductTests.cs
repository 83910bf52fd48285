using System.Net;
using System.Net.Http.Json;
using Dapper;
using HeadlessLoan.Api.Tests.Infrastructure;

namespace HeadlessLoan.Api.Tests.Products;

public sealed class ProductTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task AdminCreatesReadsAndListsAProduct()
    {
        using var admin = await api.CreateAdminClientAsync();
        var definition = TestHttp.ValidProduct();

        var response = await admin.PostAsJsonAsync("/v1/products", definition);

        await response.AssertStatusAsync(HttpStatusCode.Created);
        var created = await response.ReadJsonAsync();
        var id = created.GetProperty("id").GetGuid();
        Assert.Equal($"/v1/products/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal(1, created.GetProperty("version").GetInt32());
        Assert.Equal("active", created.GetProperty("status").GetString());
        Assert.Equal(0.10m, created.GetProperty("annualRateMax").GetDecimal());
        Assert.Equal("penalty_fee_interest_principal", created.GetProperty("allocationOrder").GetString());
        Assert.Equal(12, created.GetProperty("allocationRules").GetArrayLength());
        Assert.Equal("credit", created.GetProperty("overpayment").GetString());
        Assert.Equal("lower_installment", created.GetProperty("prepayment").GetString());

        var read = await (await admin.GetAsync($"/v1/products/{id}")).ReadJsonAsync();
        Assert.Equal(definition["name"], read.GetProperty("name").GetString());
        Assert.Equal(5_000_000L, read.GetProperty("amountMax").GetInt64());

        var list = await (await admin.GetAsync("/v1/products")).ReadJsonAsync();
        Assert.Contains(list.GetProperty("items").EnumerateArray(), p => p.GetProperty("id").GetGuid() == id);
    }

    [Fact]
    public async Task UpdateWritesVersionTwoWhileVersionOneKeepsTheOldTerms()
    {
        using var admin = await api.CreateAdminClientAsync();
        var id = (await admin.CreateProductAsync()).GetProperty("id").GetGuid();
        var changed = TestHttp.ValidProduct();
        changed["annualRateMax"] = 0.11m;

        var update = await admin.PutAsJsonAsync($"/v1/products/{id}", changed);

        await update.AssertStatusAsync(HttpStatusCode.OK);
        var current = await update.ReadJsonAsync();
        Assert.Equal(2, current.GetProperty("version").GetInt32());
        Assert.Equal(0.11m, current.GetProperty("annualRateMax").GetDecimal());
        var v1 = await (await admin.GetAsync($"/v1/products/{id}?version=1")).ReadJsonAsync();
        Assert.Equal(1, v1.GetProperty("version").GetInt32());
        Assert.Equal(0.10m, v1.GetProperty("annualRateMax").GetDecimal());
        var latest = await (await admin.GetAsync($"/v1/products/{id}")).ReadJsonAsync();
        Assert.Equal(2, latest.GetProperty("version").GetInt32());
        await (await admin.GetAsync($"/v1/products/{id}?version=3")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task RetiredProductLeavesTheListAndIsHiddenFromChannelsButNotFromStaff()
    {
        using var admin = await api.CreateAdminClientAsync();
        var id = (await admin.CreateProductAsync()).GetProperty("id").GetGuid();
        var (_, _, key) = await admin.CreateChannelWithKeyAsync();
        using var channel = api.CreateChannelClient(key);
        await (await channel.GetAsync($"/v1/products/{id}")).AssertStatusAsync(HttpStatusCode.OK);

        var retire = await admin.PostAsync($"/v1/products/{id}/retire", null);

        await retire.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal("retired", (await retire.ReadJsonAsync()).GetProperty("status").GetString());
        var list = await (await admin.GetAsync("/v1/products")).ReadJsonAsync();
        Assert.DoesNotContain(list.GetProperty("items").EnumerateArray(), p => p.GetProperty("id").GetGuid() == id);
        await (await channel.GetAsync($"/v1/products/{id}")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        var staffView = await admin.GetAsync($"/v1/products/{id}");
        await staffView.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal("retired", (await staffView.ReadJsonAsync()).GetProperty("status").GetString());
        await (await admin.PostAsync($"/v1/products/{id}/retire", null)).AssertStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task UpdatingARetiredProductIsAConflict()
    {
        using var admin = await api.CreateAdminClientAsync();
        var id = (await admin.CreateProductAsync()).GetProperty("id").GetGuid();
        await (await admin.PostAsync($"/v1/products/{id}/retire", null)).AssertStatusAsync(HttpStatusCode.OK);

        var update = await admin.PutAsJsonAsync($"/v1/products/{id}", TestHttp.ValidProduct());

        await update.AssertProblemAsync(HttpStatusCode.Conflict, "product_retired");
    }

    [Fact]
    public async Task UnknownProductIsNotFoundForReadUpdateAndRetire()
    {
        using var admin = await api.CreateAdminClientAsync();
        var unknown = Guid.NewGuid();

        await (await admin.GetAsync($"/v1/products/{unknown}")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await admin.PutAsJsonAsync($"/v1/products/{unknown}", TestHttp.ValidProduct())).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await admin.PostAsync($"/v1/products/{unknown}/retire", null)).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task ValidationNamesEveryBadFieldAtOnce()
    {
        using var admin = await api.CreateAdminClientAsync();
        var body = TestHttp.ValidProduct();
        body["name"] = "";
        body["repaymentMethods"] = Array.Empty<string>();
        body["annualRateMin"] = 0.2m;          // above annualRateMax
        body["amountMin"] = 0L;                 // below 1 fen
        body["termMaxMonths"] = 361;            // above 360
        body["penaltyDailyRate"] = 0.02m;       // above 0.01
        body["ageMin"] = 17;                    // below 18
        body["autoApprovalLimit"] = 9_000_000L; // above amountMax
        body["allocationRules"] = new[] { new { due = "past_due", component = "penalty" }, new { due = "past_due", component = "penalty" } };

        var response = await admin.PostAsJsonAsync("/v1/products", body);

        var problem = await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        var fields = problem.ErrorFields();
        foreach (var field in new[] { "name", "repaymentMethods", "annualRateMin", "amountMin", "termMaxMonths", "penaltyDailyRate", "ageMin", "autoApprovalLimit", "allocationRules" })
        {
            Assert.Contains(field, fields);
        }
    }

    /// <summary>Fineract's "mifos standard": penalty, fee, interest, principal within each due type, past due first.</summary>
    private static readonly (string Due, string Component)[] Standard = [.. new[] { "past_due", "due", "in_advance" }
        .SelectMany(due => new[] { "penalty", "fee", "interest", "principal" }.Select(component => (due, component)))];

    private static object[] Rules(IEnumerable<(string Due, string Component)> rules) => [.. rules.Select(r => new { due = r.Due, component = r.Component })];

    private static (string, string)[] RulesOf(System.Text.Json.JsonElement product) =>
        [.. product.GetProperty("allocationRules").EnumerateArray().Select(r => (r.GetProperty("due").GetString()!, r.GetProperty("component").GetString()!))];

    [Fact]
    public async Task PaymentRulesAreKeptWithTheVersionByPresetOrInFull()
    {
        using var admin = await api.CreateAdminClientAsync();
        var preset = TestHttp.ValidProduct();
        preset["allocationOrder"] = "interest_principal_penalty_fee";
        preset["overpayment"] = "prepay";
        preset["prepayment"] = "shorten_term";

        var created = await admin.CreateProductAsync(preset);

        Assert.Equal("interest_principal_penalty_fee", created.GetProperty("allocationOrder").GetString());
        Assert.Equal(("past_due", "interest"), RulesOf(created)[0]);
        Assert.Equal(("in_advance", "fee"), RulesOf(created)[^1]);
        Assert.Equal(("prepay", "shorten_term"), (created.GetProperty("overpayment").GetString(), created.GetProperty("prepayment").GetString()));

        // In advance first, then past due, then due: no preset, so custom; and a version keeps its own rules.
        var custom = TestHttp.ValidProduct();
        var order = Standard.Skip(8).Concat(Standard.Take(8)).ToArray();
        custom["allocationRules"] = Rules(order);
        var id = created.GetProperty("id").GetGuid();
        var v2 = await (await admin.PutAsJsonAsync($"/v1/products/{id}", custom)).ReadJsonAsync();
        Assert.Equal("custom", v2.GetProperty("allocationOrder").GetString());
        Assert.Equal(order, RulesOf(v2));
        Assert.Equal(("credit", "lower_installment"), (v2.GetProperty("overpayment").GetString(), v2.GetProperty("prepayment").GetString()));
        var v1 = await (await admin.GetAsync($"/v1/products/{id}?version=1")).ReadJsonAsync();
        Assert.Equal("interest_principal_penalty_fee", v1.GetProperty("allocationOrder").GetString());

        // The rules of a preset are that preset, and both may be given when they agree.
        var both = TestHttp.ValidProduct();
        both["allocationOrder"] = "penalty_fee_interest_principal";
        both["allocationRules"] = Rules(Standard);
        Assert.Equal("penalty_fee_interest_principal", (await admin.CreateProductAsync(both)).GetProperty("allocationOrder").GetString());
        await using var db = await api.OpenDatabaseAsync();
        Assert.Equal(string.Join(',', order.Select(r => r.Due + ":" + r.Component)), await db.ExecuteScalarAsync<string>(
            "SELECT allocation_order FROM product_versions WHERE product_id = @id AND version = 2", new { id }));
    }

    [Fact]
    public async Task AllocationRulesThatAreNoOrderOrDisagreeWithTheNamedOneAreRefusedNamingTheField()
    {
        using var admin = await api.CreateAdminClientAsync();

        async Task<IReadOnlyList<string>> RefusedAsync(Action<Dictionary<string, object?>> change)
        {
            var body = TestHttp.ValidProduct();
            change(body);
            return (await (await admin.PostAsJsonAsync("/v1/products", body)).AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed")).ErrorFields();
        }

        Assert.Equal(["allocationRules"], await RefusedAsync(b => b["allocationRules"] = Rules(Standard.Take(11))));
        Assert.Equal(["allocationRules"], await RefusedAsync(b => b["allocationRules"] = Rules([.. Standard.Skip(1), Standard[0]])));
        Assert.Equal(["allocationRules"], await RefusedAsync(b => b["allocationOrder"] = "custom"));
        Assert.Equal(["allocationOrder"], await RefusedAsync(b => (b["allocationOrder"], b["allocationRules"]) = ("interest_principal_penalty_fee", Rules(Standard))));
        Assert.Equal(["allocationRules[3].component"], await RefusedAsync(b => b["allocationRules"] = Rules(Standard).Select((r, i) => i == 3 ? (object)new { due = "past_due" } : r).ToArray()));

        var unknown = TestHttp.ValidProduct();
        unknown["overpayment"] = "refund";
        await (await admin.PostAsJsonAsync("/v1/products", unknown)).AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task PricingTableAndServiceFeeAreKeptWithTheVersion()
    {
        using var admin = await api.CreateAdminClientAsync();
        var body = TestHttp.ValidProduct();
        body["monthlyFeeRate"] = 0.0015m;
        body["pricing"] = new object[] { new { minScore = 700, annualRate = 0.06m }, new { minScore = 0, annualRate = 0.10m }, new { minScore = 600, annualRate = 0.08m } };

        var created = await admin.CreateProductAsync(body);

        Assert.Equal(0.0015m, created.GetProperty("monthlyFeeRate").GetDecimal());
        var bands = created.GetProperty("pricing").EnumerateArray().Select(b => (b.GetProperty("minScore").GetInt32(), b.GetProperty("annualRate").GetDecimal())).ToList();
        Assert.Equal([(0, 0.10m), (600, 0.08m), (700, 0.06m)], bands);

        var plain = await admin.CreateProductAsync();
        Assert.Equal(0m, plain.GetProperty("monthlyFeeRate").GetDecimal());
        Assert.Empty(plain.GetProperty("pricing").EnumerateArray());
    }

    [Fact]
    public async Task APricingTableOutsideTheRateRangeOrIncompleteIsRefused()
    {
        using var admin = await api.CreateAdminClientAsync();
        var outside = TestHttp.ValidProduct();
        outside["pricing"] = new object[] { new { minScore = 0, annualRate = 0.2m } };
        var fields = (await (await admin.PostAsJsonAsync("/v1/products", outside)).AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed")).ErrorFields();
        Assert.Contains("pricing", fields);

        var incomplete = TestHttp.ValidProduct();
        incomplete["pricing"] = new object[] { new { minScore = 0 }, new { annualRate = 0.06m } };
        incomplete["monthlyFeeRate"] = 0.0000001m;
        fields = (await (await admin.PostAsJsonAsync("/v1/products", incomplete)).AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed")).ErrorFields();
        Assert.Contains("pricing[0].annualRate", fields);
        Assert.Contains("pricing[1].minScore", fields);
        Assert.Contains("monthlyFeeRate", fields);
    }

    [Fact]
    public async Task MissingFieldsAreEachNamed()
    {
        using var admin = await api.CreateAdminClientAsync();

        var response = await admin.PostAsJsonAsync("/v1/products", new { name = "Only a name" });

        var fields = (await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed")).ErrorFields();
        foreach (var field in new[] { "repaymentMethods", "annualRateMin", "annualRateMax", "amountMin", "amountMax", "termMinMonths", "termMaxMonths", "penaltyDailyRate", "ageMin", "ageMax", "autoApprovalLimit" })
        {
            Assert.Contains(field, fields);
        }
    }

    [Fact]
    public async Task AnnualRateMaxAboveFourTimesLprIsRejectedAsAboveTheCeiling()
    {
        using var admin = await api.CreateAdminClientAsync();
        var atCeiling = TestHttp.ValidProduct();
        atCeiling["annualRateMax"] = 0.12m;
        await (await admin.PostAsJsonAsync("/v1/products", atCeiling)).AssertStatusAsync(HttpStatusCode.Created);
        var above = TestHttp.ValidProduct();
        above["annualRateMax"] = 0.1201m;

        var response = await admin.PostAsJsonAsync("/v1/products", above);

        var problem = await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "rate_above_ceiling");
        Assert.Equal(["annualRateMax"], problem.ErrorFields());
    }

    [Fact]
    public async Task AnnualisedPenaltyRateAboveTheCeilingIsRejected()
    {
        using var admin = await api.CreateAdminClientAsync();
        var body = TestHttp.ValidProduct();
        body["penaltyDailyRate"] = 0.0004m; // × 365 = 0.146 > 0.12

        var response = await admin.PostAsJsonAsync("/v1/products", body);

        var problem = await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "rate_above_ceiling");
        Assert.Equal(["penaltyDailyRate"], problem.ErrorFields());
    }

    [Fact]
    public async Task APenaltyRateThatWouldBeRoundedAboveTheCeilingIsRefusedNotStored()
    {
        using var admin = await api.CreateAdminClientAsync();
        // 0.0003287 × 365 = 0.1199755 is under the 0.12 ceiling, but six places would store 0.000329 (× 365 = 0.120085).
        var body = TestHttp.ValidProduct();
        body["penaltyDailyRate"] = 0.0003287m;

        var response = await admin.PostAsJsonAsync("/v1/products", body);

        var problem = await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        Assert.Equal(["penaltyDailyRate"], problem.ErrorFields());
        await using var db = await api.OpenDatabaseAsync();
        Assert.Equal(0, await db.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM product_versions WHERE name = @name", new { name = body["name"] }));
    }

    [Theory]
    [InlineData("annualRateMin", "0.0500001")]
    [InlineData("annualRateMax", "0.1000004")]
    [InlineData("penaltyDailyRate", "0.00030001")]
    public async Task EveryRateWithMoreThanSixDecimalPlacesIsRefusedNamingIt(string field, string rate)
    {
        using var admin = await api.CreateAdminClientAsync();
        var body = TestHttp.ValidProduct();
        body[field] = decimal.Parse(rate, System.Globalization.CultureInfo.InvariantCulture);
        var id = (await admin.CreateProductAsync()).GetProperty("id").GetGuid();

        var created = await admin.PostAsJsonAsync("/v1/products", body);
        var updated = await admin.PutAsJsonAsync($"/v1/products/{id}", body);

        Assert.Equal([field], (await created.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed")).ErrorFields());
        Assert.Equal([field], (await updated.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed")).ErrorFields());
        Assert.Equal(1, (await (await admin.GetAsync($"/v1/products/{id}")).ReadJsonAsync()).GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task RatesWithSixDecimalPlacesOrTrailingZerosAreStoredExactly()
    {
        using var admin = await api.CreateAdminClientAsync();
        var body = TestHttp.ValidProduct();
        body["annualRateMin"] = 0.050001m;
        body["annualRateMax"] = 0.1000000000m;
        body["penaltyDailyRate"] = 0.000328m; // × 365 = 0.11972, the highest six-place rate under the 0.12 ceiling

        var created = await admin.CreateProductAsync(body);

        await using var db = await api.OpenDatabaseAsync();
        var stored = await db.QuerySingleAsync<(decimal Min, decimal Max, decimal Penalty)>(
            "SELECT annual_rate_min, annual_rate_max, penalty_daily_rate FROM product_versions WHERE product_id = @id",
            new { id = created.GetProperty("id").GetGuid() });
        Assert.Equal((0.050001m, 0.1m, 0.000328m), stored);
        Assert.Equal(0.000328m, created.GetProperty("penaltyDailyRate").GetDecimal());
    }

    [Fact]
    public async Task UpdateIsValidatedLikeCreate()
    {
        using var admin = await api.CreateAdminClientAsync();
        var id = (await admin.CreateProductAsync()).GetProperty("id").GetGuid();
        var above = TestHttp.ValidProduct();
        above["annualRateMax"] = 0.5m;

        var response = await admin.PutAsJsonAsync($"/v1/products/{id}", above);

        Assert.Contains("annualRateMax", (await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "rate_above_ceiling")).ErrorFields());
        Assert.Equal(1, (await (await admin.GetAsync($"/v1/products/{id}")).ReadJsonAsync()).GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task NonAdminStaffCannotChangeProductsButCanReadThem()
    {
        using var admin = await api.CreateAdminClientAsync();
        var id = (await admin.CreateProductAsync()).GetProperty("id").GetGuid();
        using var officer = await api.CreateStaffWithRolesAsync("loan_officer");

        await (await officer.PostAsJsonAsync("/v1/products", TestHttp.ValidProduct())).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await officer.PutAsJsonAsync($"/v1/products/{id}", TestHttp.ValidProduct())).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await officer.PostAsync($"/v1/products/{id}/retire", null)).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await officer.GetAsync($"/v1/products/{id}")).AssertStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task EveryChangeWritesOneOutboxEventInTheSameDatabase()
    {
        using var admin = await api.CreateAdminClientAsync();
        var id = (await admin.CreateProductAsync()).GetProperty("id").GetGuid();
        await (await admin.PutAsJsonAsync($"/v1/products/{id}", TestHttp.ValidProduct())).AssertStatusAsync(HttpStatusCode.OK);
        await (await admin.PostAsync($"/v1/products/{id}/retire", null)).AssertStatusAsync(HttpStatusCode.OK);
        await (await admin.PostAsync($"/v1/products/{id}/retire", null)).AssertStatusAsync(HttpStatusCode.OK);

        await using var db = await api.OpenDatabaseAsync();
        var events = (await db.QueryAsync<string>(
            "SELECT event_type FROM outbox_events WHERE entity_id = @id ORDER BY id", new { id = id.ToString() })).ToList();

        Assert.Equal(["product.created", "product.updated", "product.retired"], events);
    }
}
