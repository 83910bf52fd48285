using Microsoft.Extensions.Options;

namespace HeadlessLoan.Api.Integrations.IpRegion;

/// <summary>Where the IP2Location file is; kept under <c>Fraud</c>, the section operators already set.</summary>
public sealed class IpRegionOptions
{
    public const string Section = "Fraud";

    /// <summary>IP2Location DB3 CSV; the bundled sample when empty.</summary>
    public string? IpRegionFile { get; init; }
}

public static class IpRegionSetup
{
    public static IServiceCollection AddIpRegions(this IServiceCollection services)
    {
        services.AddOptions<IpRegionOptions>().BindConfiguration(IpRegionOptions.Section);
        services.AddSingleton<IIpRegionLookup>(sp =>
        {
            var file = sp.GetRequiredService<IOptions<IpRegionOptions>>().Value.IpRegionFile;
            return new Ip2LocationCsvLookup(string.IsNullOrEmpty(file)
                ? Path.Combine(AppContext.BaseDirectory, "Integrations", "IpRegion", "data", "ip2location-lite-db3.sample.csv")
                : file);
        });
        return services;
    }
}
