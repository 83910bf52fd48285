namespace HeadlessLoan.Api.Features.Borrowers;

/// <summary>Borrowers: WeChat sign-in and their own profile.</summary>
public static class BorrowersFeature
{
    public static WebApplicationBuilder AddBorrowers(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<BorrowerStore>();
        builder.Services.AddSingleton<BorrowerOpenIds>();
        return builder;
    }

    public static IEndpointRouteBuilder MapBorrowers(this IEndpointRouteBuilder app) => app.MapWeChatLoginApi().MapBorrowersApi();
}
