using HeadlessLoan.Api.Platform.Auth;

namespace HeadlessLoan.Api.Features.Contact;

/// <summary>The rules of contact with borrowers (quiet hours, call caps, do-not-contact), shared by reminders and collectors.</summary>
public static class ContactFeature
{
    public static WebApplicationBuilder AddContact(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ContactOptions>().BindConfiguration(ContactOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddAuthorizationBuilder().AddPolicy(ContactPreferencesApi.Policy, p => p.RequireAuthenticatedUser()
            .RequireClaim(Caller.KindClaim, Caller.Staff).RequireRole([.. Roles.Supervisors, Roles.Collector]));
        return builder;
    }

    public static IEndpointRouteBuilder MapContact(this IEndpointRouteBuilder app) => app.MapContactPreferencesApi();
}
