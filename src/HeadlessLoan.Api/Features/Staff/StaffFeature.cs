namespace HeadlessLoan.Api.Features.Staff;

/// <summary>Staff accounts and their sign-in, and the first admin on an empty database.</summary>
public static class StaffFeature
{
    public static WebApplicationBuilder AddStaff(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<BootstrapOptions>().BindConfiguration(BootstrapOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<StaffStore>();
        services.AddSingleton<Platform.Auth.ITokenRevocation>(sp => sp.GetRequiredService<StaffStore>());
        services.AddSingleton<Platform.Database.IStartupSeed, AdminBootstrap>();
        return builder;
    }

    public static IEndpointRouteBuilder MapStaff(this IEndpointRouteBuilder app) => app.MapStaffAuthApi().MapStaffApi();
}
