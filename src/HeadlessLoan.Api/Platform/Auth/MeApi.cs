using HeadlessLoan.Api.Platform.Errors;

namespace HeadlessLoan.Api.Platform.Auth;

public sealed record MeResponse(string Kind, string Id, string Name, IReadOnlyList<string> Roles);

/// <summary><c>GET /v1/me</c>: who the credentials belong to — the first call an integrator makes.</summary>
public static class MeApi
{
    public static IEndpointRouteBuilder MapMeApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/me", GetMe)
            .WithName("GetMe")
            .WithSummary("Who the presented credentials belong to")
            .WithTags("Auth")
            .RequireAuthorization(Policies.AnyCaller)
            .ProducesAuthProblems();
        return app;
    }

    public static MeResponse GetMe(HttpContext context)
    {
        var user = context.User;
        return new MeResponse(
            user.Kind() ?? "",
            user.Id() ?? "",
            user.FindFirst(Caller.NameClaim)?.Value ?? "",
            user.Roles());
    }
}
