using HeadlessLoan.Api.Integrations.Bank;
using HeadlessLoan.Api.Platform;

namespace HeadlessLoan.Api.Features.Loans;

/// <summary>Loans: offers of approved applications, acceptance, and the loans it makes with their schedules.</summary>
public static class LoansFeature
{
    public static WebApplicationBuilder AddLoans(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<LoansOptions>().BindConfiguration(LoansOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<LoanStore>();
        builder.Services.AddSingleton<LoanAccrualPool>();
        builder.Services.AddSingleton<LoanPayments>();
        builder.Services.AddSingleton<LoanWriteOffs>();
        builder.Services.AddSingleton<BorrowerExposure>();
        builder.Services.AddSingleton<LoanDayEnd>();
        builder.Services.AddSingleton<OfferPricing>();
        builder.Services.AddSingleton<PayoutStore>();
        builder.Services.AddSingleton<PayoutRetries>();
        // Loans are paid out through the bank: without its settings nothing is paid out (and nothing can call back).
        if (builder.Configuration.GetSection(BankOptions.Section).Exists())
        {
            builder.Services.AddSingleton<PayoutWorker>();
            if (builder.Configuration.GetValue(LoansOptions.Section + ":" + nameof(LoansOptions.PayoutsEnabled), true))
            {
                builder.Services.AddBackgroundWorker<PayoutWorker>(builder.Configuration);
            }
        }

        return builder;
    }

    public static IEndpointRouteBuilder MapLoans(this IEndpointRouteBuilder app) => app.MapLoansApi().MapDisbursementApi();
}
