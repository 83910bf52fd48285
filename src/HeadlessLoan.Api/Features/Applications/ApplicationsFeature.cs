namespace HeadlessLoan.Api.Features.Applications;

/// <summary>Loan applications: drafts, documents with OCR checks, consent and submission.</summary>
public static class ApplicationsFeature
{
    public static WebApplicationBuilder AddApplications(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ApplicationsOptions>().BindConfiguration(ApplicationsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<DocumentImages>();
        services.AddSingleton<ApplicationStore>();
        services.AddSingleton<ApplicationSubmitter>();
        services.AddSingleton(sp =>
        {
            var file = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<ApplicationsOptions>>().Value.CardBinFile;
            if (string.IsNullOrWhiteSpace(file))
            {
                file = Path.Combine(sp.GetRequiredService<IWebHostEnvironment>().ContentRootPath, "Features", "Applications", "data", "card-bins.json");
                if (!File.Exists(file))
                {
                    file = Path.Combine(AppContext.BaseDirectory, "Features", "Applications", "data", "card-bins.json");
                }
            }

            return CardBins.Load(file);
        });
        return builder;
    }

    public static IEndpointRouteBuilder MapApplications(this IEndpointRouteBuilder app) => app.MapApplicationsApi();
}
