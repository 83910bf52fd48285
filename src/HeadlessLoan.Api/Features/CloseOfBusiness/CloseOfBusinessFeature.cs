using HeadlessLoan.Api.Platform;

namespace HeadlessLoan.Api.Features.CloseOfBusiness;

/// <summary>The daily close of business: the business date, the COB runs, and the job that closes each day's loans.</summary>
public static class CloseOfBusinessFeature
{
    public static WebApplicationBuilder AddCloseOfBusiness(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<CloseOfBusinessOptions>().BindConfiguration(CloseOfBusinessOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<CobRuns>();
        builder.Services.AddSingleton<CobJob>();
        builder.Services.AddSingleton<ClosedDates>();
        if (builder.Configuration.GetValue(CloseOfBusinessOptions.Section + ":" + nameof(CloseOfBusinessOptions.Enabled), true))
        {
            builder.Services.AddBackgroundWorker<CobJob>(builder.Configuration);
        }

        return builder;
    }

    public static IEndpointRouteBuilder MapCloseOfBusiness(this IEndpointRouteBuilder app) => app.MapCobApi().MapClassificationApi();
}
