using HeadlessLoan.Api.Platform;

namespace HeadlessLoan.Api.Features.Collections;

/// <summary>Collections: the daily pass that opens, escalates, assigns and closes work orders, and the endpoints collectors work them through.</summary>
public static class CollectionsFeature
{
    public static WebApplicationBuilder AddCollections(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<CollectionsOptions>().BindConfiguration(CollectionsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<CollectionsJob>();
        if (builder.Configuration.GetValue(CollectionsOptions.Section + ":" + nameof(CollectionsOptions.Enabled), true))
        {
            builder.Services.AddBackgroundWorker<CollectionsJob>(builder.Configuration);
        }

        return builder;
    }

    public static IEndpointRouteBuilder MapCollections(this IEndpointRouteBuilder app) => app.MapCollectionsApi().MapWriteOffsApi();
}
