using HeadlessLoan.Api.Platform;

namespace HeadlessLoan.Api.Features.Intake;

/// <summary>The intake pipeline: bureau report, anti-fraud rules and the automatic credit decision of submitted applications.</summary>
public static class IntakeFeature
{
    public static WebApplicationBuilder AddIntake(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<DecisionOptions>().BindConfiguration(DecisionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<PipelineOptions>().BindConfiguration(PipelineOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<FraudOptions>().BindConfiguration(FraudOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<DecisionStore>();
        services.AddSingleton<IntakePipeline>();
        if (builder.Configuration.GetValue(PipelineOptions.Section + ":" + nameof(PipelineOptions.Enabled), true))
        {
            services.AddBackgroundWorker<IntakePipeline>(builder.Configuration);
        }

        return builder;
    }

    public static IEndpointRouteBuilder MapIntake(this IEndpointRouteBuilder app) => app.MapIntakeApi();
}
