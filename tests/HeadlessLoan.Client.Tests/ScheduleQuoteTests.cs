using HeadlessLoan.Client.Tests.Infrastructure;

namespace HeadlessLoan.Client.Tests;

[Collection(ApiServerCollection.Name)]
public sealed class ScheduleQuoteTests(ApiServerFixture server)
{
    [Fact]
    public async Task Anonymous_equal_installment_quote_pays_530_73_a_month_and_sends_the_wire_name()
    {
        using var recorder = new RecordingHandler();
        var client = HeadlessLoanClientFactory.Create(new HeadlessLoanClientOptions { BaseUrl = server.BaseUrl }, recorder);

        ScheduleQuoteResponse quote = await client.QuoteScheduleAsync(new ScheduleQuoteRequest
        {
            Principal = 10_000_000,
            AnnualRate = 0.049m,
            TermMonths = 360,
            Method = RepaymentMethod.EqualInstallment,
            StartDate = new DateOnly(2026, 1, 15),
        });

        var (_, body) = Assert.Single(recorder.Sent);
        Assert.Contains("\"method\":\"equal_installment\"", body, StringComparison.Ordinal);

        Assert.Equal(RepaymentMethod.EqualInstallment, quote.Method);
        Assert.Equal(360, quote.Periods.Count);
        var first = quote.Periods.First();
        Assert.Equal(53073, first.Payment);
        Assert.Equal(1, first.Period);
        Assert.Equal(new DateOnly(2026, 1, 15), quote.StartDate);
        Assert.True(first.DueDate > quote.StartDate);
        Assert.Equal(10_000_000, quote.Periods.Sum(period => period.Principal));
        Assert.Equal(0.049m, quote.AnnualRate);
        Assert.Equal(quote.Principal + quote.TotalInterest, quote.TotalPayment);
    }

    [Fact]
    public async Task EqualPrincipal_is_a_different_method_on_the_wire()
    {
        ScheduleQuoteResponse quote = await server.CreateAnonymousClient().QuoteScheduleAsync(new ScheduleQuoteRequest
        {
            Principal = 10_000_000,
            AnnualRate = 0.049m,
            TermMonths = 360,
            Method = RepaymentMethod.EqualPrincipal,
            StartDate = new DateOnly(2026, 1, 15),
        });

        Assert.Equal(RepaymentMethod.EqualPrincipal, quote.Method);
        var periods = quote.Periods.ToList();
        Assert.Equal(68611, periods[0].Payment);
        Assert.Equal(68611 - 113, periods[1].Payment);
    }

    [Fact]
    public async Task Invalid_input_surfaces_validation_failed_naming_the_field()
    {
        var exception = await Assert.ThrowsAnyAsync<HeadlessLoanException>(() => server.CreateAnonymousClient().QuoteScheduleAsync(new ScheduleQuoteRequest
        {
            Principal = 10_000_000,
            AnnualRate = 0.049m,
            TermMonths = 361,
            Method = RepaymentMethod.EqualInstallment,
        }));

        Assert.Equal(422, exception.StatusCode);
        var typed = Assert.IsType<HeadlessLoanException<HeadlessLoanProblem>>(exception);
        Assert.Equal("validation_failed", typed.Result.Code);
        Assert.Equal("validation_failed", exception.ProblemCode);
        Assert.True(exception.HasProblemCode("validation_failed"));
        Assert.NotNull(typed.Result.Errors);
        Assert.Contains(typed.Result.Errors!.Keys, key => string.Equals(key, "termMonths", StringComparison.OrdinalIgnoreCase));
        Assert.NotEmpty(exception.GetFieldErrors("termMonths"));
    }
}
