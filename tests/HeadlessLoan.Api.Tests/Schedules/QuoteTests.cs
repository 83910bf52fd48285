using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HeadlessLoan.Api.Tests.Infrastructure;

namespace HeadlessLoan.Api.Tests.Schedules;

public sealed class QuoteTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    public static TheoryData<string> Methods => new() { "equal_installment", "equal_principal", "interest_first", "bullet" };

    [Fact]
    public async Task EqualInstallmentReferenceFigureIsReproduced()
    {
        var quote = await QuoteAsync(new { principal = 10_000_000L, annualRate = 0.049m, termMonths = 360, method = "equal_installment", startDate = "2026-01-15" });

        var periods = quote.GetProperty("periods").EnumerateArray().ToList();
        Assert.Equal(360, periods.Count);
        Assert.Equal(53073L, periods[0].GetProperty("payment").GetInt64());
        Assert.Equal(40833L, periods[0].GetProperty("interest").GetInt64());
        Assert.Equal(10_000_000L, periods.Sum(p => p.GetProperty("principal").GetInt64()));
        Assert.Equal(0L, periods[^1].GetProperty("remainingPrincipal").GetInt64());
        Assert.Equal(quote.GetProperty("totalPayment").GetInt64(), periods.Sum(p => p.GetProperty("payment").GetInt64()));
    }

    [Fact]
    public async Task EqualPrincipalReferenceFigureIsReproduced()
    {
        var quote = await QuoteAsync(new { principal = 10_000_000L, annualRate = 0.049m, termMonths = 360, method = "equal_principal", startDate = "2026-01-15" });

        var periods = quote.GetProperty("periods").EnumerateArray().ToList();
        Assert.Equal(68611L, periods[0].GetProperty("payment").GetInt64());
        Assert.Equal(10_000_000L, periods.Sum(p => p.GetProperty("principal").GetInt64()));
        Assert.True(periods[^1].GetProperty("payment").GetInt64() < periods[0].GetProperty("payment").GetInt64());
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public async Task ZeroRateQuotesPrincipalOnlyForEveryMethod(string method)
    {
        var quote = await QuoteAsync(new { principal = 1_000_001L, annualRate = 0m, termMonths = 7, method, startDate = "2026-01-15" });

        var periods = quote.GetProperty("periods").EnumerateArray().ToList();
        Assert.Equal(0L, quote.GetProperty("totalInterest").GetInt64());
        Assert.All(periods, p => Assert.Equal(0L, p.GetProperty("interest").GetInt64()));
        Assert.Equal(1_000_001L, periods.Sum(p => p.GetProperty("principal").GetInt64()));
        Assert.Equal(1_000_001L, quote.GetProperty("totalPayment").GetInt64());
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public async Task PrincipalPartsSumExactlyToThePrincipal(string method)
    {
        var quote = await QuoteAsync(new { principal = 1_234_567L, annualRate = 0.0999m, termMonths = 13, method, startDate = "2026-01-15" });

        Assert.Equal(1_234_567L, quote.GetProperty("periods").EnumerateArray().Sum(p => p.GetProperty("principal").GetInt64()));
    }

    [Fact]
    public async Task BulletHasOnePeriodRepayingEverything()
    {
        var quote = await QuoteAsync(new { principal = 1_000_000L, annualRate = 0.06m, termMonths = 12, method = "bullet", startDate = "2026-01-15" });

        var period = Assert.Single(quote.GetProperty("periods").EnumerateArray());
        Assert.Equal(1_000_000L, period.GetProperty("principal").GetInt64());
        Assert.Equal(0L, period.GetProperty("remainingPrincipal").GetInt64());
        Assert.Equal("2027-01-15", period.GetProperty("dueDate").GetString());
    }

    [Fact]
    public async Task DueDatesFromTheEndOfJanuaryClampToMonthEnds()
    {
        var quote = await QuoteAsync(new { principal = 300_000L, annualRate = 0.05m, termMonths = 3, method = "equal_installment", startDate = "2025-01-31" });

        var dueDates = quote.GetProperty("periods").EnumerateArray().Select(p => p.GetProperty("dueDate").GetString()).ToList();
        Assert.Equal(["2025-02-28", "2025-03-31", "2025-04-30"], dueDates);
    }

    [Theory]
    [InlineData("principal", 0L, 12, 0.05)]
    [InlineData("principal", 10_000_000_001L, 12, 0.05)]
    [InlineData("termMonths", 100_000L, 0, 0.05)]
    [InlineData("termMonths", 100_000L, 361, 0.05)]
    [InlineData("annualRate", 100_000L, 12, -0.01)]
    [InlineData("annualRate", 100_000L, 12, 1.01)]
    public async Task OutOfRangeTermsAreRejectedNamingTheField(string field, long principal, int termMonths, double rate)
    {
        using var client = api.CreateApiClient();

        var response = await client.PostAsJsonAsync("/v1/schedules/quote", new { principal, annualRate = (decimal)rate, termMonths, method = "equal_installment" });

        var problem = await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        Assert.Equal([field], problem.ErrorFields());
    }

    [Fact]
    public async Task ARateWithMoreThanSixDecimalPlacesIsRefusedNamingIt()
    {
        using var admin = await api.CreateAdminClientAsync();
        var productId = (await admin.CreateProductAsync()).GetProperty("id").GetGuid();
        using var client = api.CreateApiClient();

        var explicitTerms = await client.PostAsJsonAsync("/v1/schedules/quote",
            new { principal = 100_000L, annualRate = 0.0490001m, termMonths = 12, method = "equal_installment" });
        var byProduct = await client.PostAsJsonAsync("/v1/schedules/quote",
            new { principal = 1_000_000L, annualRate = 0.0999999999m, termMonths = 12, productId });
        var sixPlaces = await client.PostAsJsonAsync("/v1/schedules/quote",
            new { principal = 100_000L, annualRate = 0.049001m, termMonths = 12, method = "equal_installment" });

        Assert.Equal(["annualRate"], (await explicitTerms.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed")).ErrorFields());
        Assert.Equal(["annualRate"], (await byProduct.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed")).ErrorFields());
        await sixPlaces.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal(0.049001m, (await sixPlaces.ReadJsonAsync()).GetProperty("annualRate").GetDecimal());
    }

    [Theory]
    [InlineData("9999-12-01", 1)]
    [InlineData("9999-12-31", 360)]
    [InlineData("2101-01-01", 1)]
    [InlineData("1999-12-31", 12)]
    [InlineData("0001-01-01", 12)]
    public async Task AStartDateOutsideTheCenturyIsRefusedNamingIt(string startDate, int termMonths)
    {
        using var client = api.CreateApiClient();

        var response = await client.PostAsJsonAsync("/v1/schedules/quote",
            new { principal = 100_000L, annualRate = 0.05m, termMonths, method = "equal_installment", startDate });

        Assert.Equal(["startDate"], (await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed")).ErrorFields());
    }

    [Fact]
    public async Task StartDatesAtTheEndsOfTheWindowAreQuotedInFull()
    {
        var earliest = await QuoteAsync(new { principal = 100_000L, annualRate = 0.05m, termMonths = 12, method = "bullet", startDate = "2000-01-01" });
        var latest = await QuoteAsync(new { principal = 100_000L, annualRate = 0.05m, termMonths = 360, method = "equal_principal", startDate = "2100-12-31" });

        Assert.Equal("2001-01-01", Assert.Single(earliest.GetProperty("periods").EnumerateArray()).GetProperty("dueDate").GetString());
        Assert.Equal("2130-12-31", latest.GetProperty("periods").EnumerateArray().Last().GetProperty("dueDate").GetString());
    }

    [Fact]
    public async Task WithoutAProductRateAndMethodAreRequired()
    {
        using var client = api.CreateApiClient();

        var response = await client.PostAsJsonAsync("/v1/schedules/quote", new { principal = 100_000L, termMonths = 12 });

        var fields = (await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed")).ErrorFields();
        Assert.Contains("annualRate", fields);
        Assert.Contains("method", fields);
    }

    [Fact]
    public async Task QuoteByProductUsesTheProductsTerms()
    {
        using var admin = await api.CreateAdminClientAsync();
        var product = await admin.CreateProductAsync();
        var productId = product.GetProperty("id").GetGuid();

        var quote = await QuoteAsync(new { principal = 1_000_000L, termMonths = 12, productId, startDate = "2026-01-15" });

        Assert.Equal(productId, quote.GetProperty("productId").GetGuid());
        Assert.Equal(1, quote.GetProperty("productVersion").GetInt32());
        Assert.Equal(0.10m, quote.GetProperty("annualRate").GetDecimal());
        Assert.Equal("equal_installment", quote.GetProperty("method").GetString());
    }

    [Fact]
    public async Task QuoteByProductRejectsATermOutsideTheProductsRange()
    {
        using var admin = await api.CreateAdminClientAsync();
        var productId = (await admin.CreateProductAsync()).GetProperty("id").GetGuid();
        using var client = api.CreateApiClient();

        var response = await client.PostAsJsonAsync("/v1/schedules/quote", new { principal = 1_000_000L, termMonths = 48, productId });

        Assert.Contains("termMonths", (await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed")).ErrorFields());
    }

    [Fact]
    public async Task QuoteByARetiredOrUnknownProductIsNotFound()
    {
        using var admin = await api.CreateAdminClientAsync();
        var productId = (await admin.CreateProductAsync()).GetProperty("id").GetGuid();
        await (await admin.PostAsync($"/v1/products/{productId}/retire", null)).AssertStatusAsync(HttpStatusCode.OK);
        using var client = api.CreateApiClient();

        var retired = await client.PostAsJsonAsync("/v1/schedules/quote", new { principal = 1_000_000L, termMonths = 12, productId });
        var unknown = await client.PostAsJsonAsync("/v1/schedules/quote", new { principal = 1_000_000L, termMonths = 12, productId = Guid.NewGuid() });

        await retired.AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await unknown.AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    private async Task<JsonElement> QuoteAsync(object body)
    {
        using var client = api.CreateApiClient();
        var response = await client.PostAsJsonAsync("/v1/schedules/quote", body);
        await response.AssertStatusAsync(HttpStatusCode.OK);
        return await response.ReadJsonAsync();
    }
}

/// <summary>A service whose quote limit is three calls a minute per address.</summary>
public sealed class SmallQuoteLimitApiFactory : ApiFactory
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["RateLimits:QuotePerIpPerMinute"] = "3" };
}

public sealed class QuoteRateLimitTests(SmallQuoteLimitApiFactory api) : IClassFixture<SmallQuoteLimitApiFactory>
{
    [Fact]
    public async Task FourthQuoteWithinAMinuteIsRateLimitedWithRetryAfter()
    {
        using var client = api.CreateApiClient();
        var body = new { principal = 100_000L, annualRate = 0.05m, termMonths = 12, method = "equal_installment" };
        for (var i = 0; i < 3; i++)
        {
            await (await client.PostAsJsonAsync("/v1/schedules/quote", body)).AssertStatusAsync(HttpStatusCode.OK);
        }

        var fourth = await client.PostAsJsonAsync("/v1/schedules/quote", body);

        await fourth.AssertProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.True(fourth.Headers.RetryAfter?.Delta is { } wait && wait > TimeSpan.Zero && wait <= TimeSpan.FromMinutes(1), $"Retry-After: {fourth.Headers.RetryAfter}");
    }
}
