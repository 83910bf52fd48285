namespace HeadlessLoan.Api.Features.Loans;

/// <summary>Loans: offers of approved applications, acceptance, and the loans it makes with their schedules.</summary>
public static class LoansFeature
{
    public static WebApplicationBuilder AddLoans(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<LoansOptions>().BindConfiguration(LoansOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<LoanStore>();
        builder.Services.AddSingleton<OfferPricing>();
        return builder;
    }

    public static IEndpointRouteBuilder MapLoans(this IEndpointRouteBuilder app) => app.MapLoansApi();
}
