namespace HeadlessLoan.Api.Features.Products;

/// <summary>Loan products, versioned, with the interest ceiling enforced on their rates.</summary>
public static class ProductsFeature
{
    public static WebApplicationBuilder AddProducts(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<RatesOptions>().BindConfiguration(RatesOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<ProductStore>();
        builder.Services.AddSingleton<IProductCatalog>(sp => sp.GetRequiredService<ProductStore>());
        return builder;
    }

    public static IEndpointRouteBuilder MapProducts(this IEndpointRouteBuilder app) => app.MapProductsApi();
}
