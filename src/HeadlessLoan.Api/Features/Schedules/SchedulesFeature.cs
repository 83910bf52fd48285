namespace HeadlessLoan.Api.Features.Schedules;

/// <summary>Repayment schedule quotes, no sign-in needed.</summary>
public static class SchedulesFeature
{
    public static WebApplicationBuilder AddSchedules(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<QuoteCache>();
        return builder;
    }

    public static IEndpointRouteBuilder MapSchedules(this IEndpointRouteBuilder app) => app.MapSchedulesApi();
}
