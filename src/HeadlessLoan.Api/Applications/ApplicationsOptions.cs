using System.ComponentModel.DataAnnotations;
using HeadlessLoan.Api.Blobs;

namespace HeadlessLoan.Api.Applications;

public sealed class ApplicationsOptions
{
    public const string Section = "Applications";

    /// <summary>Uploads per application, rejected ones included (each costs an OCR call).</summary>
    [Range(3, 100)]
    public int MaxDocuments { get; init; } = 10;

    /// <summary>Largest image accepted (WeChat OCR takes images up to 2 MB).</summary>
    [Range(1024, 2_097_152)]
    public int MaxImageBytes { get; init; } = 2_097_152;

    /// <summary>The BIN table (JSON); <c>Applications/data/card-bins.json</c> under the content root when empty.</summary>
    public string? CardBinFile { get; init; }
}

public static class ApplicationsSetup
{
    public static IServiceCollection AddApplications(this IServiceCollection services)
    {
        services.AddOptions<ApplicationsOptions>().BindConfiguration(ApplicationsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddBlobStore();
        services.AddSingleton<DocumentImages>();
        services.AddSingleton<ApplicationStore>();
        services.AddSingleton<ApplicationSubmitter>();
        services.AddSingleton(sp =>
        {
            var file = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<ApplicationsOptions>>().Value.CardBinFile;
            if (string.IsNullOrWhiteSpace(file))
            {
                file = Path.Combine(sp.GetRequiredService<IWebHostEnvironment>().ContentRootPath, "Applications", "data", "card-bins.json");
                if (!File.Exists(file))
                {
                    file = Path.Combine(AppContext.BaseDirectory, "Applications", "data", "card-bins.json");
                }
            }

            return CardBins.Load(file);
        });
        return services;
    }
}
