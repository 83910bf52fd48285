namespace HeadlessLoan.Api.Platform.Privacy;

public static class PersonalDataSetup
{
    public static IServiceCollection AddPersonalDataProtection(this IServiceCollection services)
    {
        services.AddOptions<PersonalDataOptions>().BindConfiguration(PersonalDataOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<PersonalDataProtector>();
        return services;
    }
}
