using HeadlessLoan.Api.Platform.Audit;
using HeadlessLoan.Api.Platform.Auth;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Platform.Errors;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace HeadlessLoan.Api.Features.Products;

/// <summary>Loan products: admins define, version and retire them; every authenticated caller reads active ones.</summary>
public static class ProductsApi
{
    public static IEndpointRouteBuilder MapProductsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/products").WithTags("Products");
        var rates = app.ServiceProvider.GetRequiredService<IOptions<RatesOptions>>();

        group.MapPost("/", CreateProduct).WithName("CreateProduct").WithSummary("Define a loan product (version 1)")
            .RequireAuthorization(Policies.Admin).ProducesAuthProblems(forbidden: true).ProducesProblems(400, 422)
            .Validates<ProductDefinition>((request, _) => ProductRules.Validate(request, rates));
        group.MapGet("/", ListProducts).WithName("ListProducts").WithSummary("List active products")
            .RequireAuthorization(Policies.AnyCaller).ProducesAuthProblems();
        group.MapGet("/{productId:guid}", GetProduct).WithName("GetProduct").WithSummary("Read a product, its current or a given version")
            .RequireAuthorization(Policies.AnyCaller).ProducesAuthProblems().ProducesProblems(400, 404);
        group.MapPut("/{productId:guid}", UpdateProduct).WithName("UpdateProduct").WithSummary("Change a product: writes a new version")
            .RequireAuthorization(Policies.Admin).ProducesAuthProblems(forbidden: true).ProducesProblems(400, 404, 409, 422)
            .Validates<ProductDefinition>((request, _) => ProductRules.Validate(request, rates));
        group.MapPost("/{productId:guid}/retire", RetireProduct).WithName("RetireProduct").WithSummary("Stop offering a product")
            .RequireAuthorization(Policies.Admin).ProducesAuthProblems(forbidden: true).ProducesProblems(404);
        return app;
    }

    public static async Task<Results<Created<ProductResponse>, ProblemHttpResult>> CreateProduct(
        ProductDefinition request, HttpContext http, CurrentCaller caller, ProductStore store, CancellationToken ct)
    {
        var row = await store.CreateAsync(request, caller.Actor, ct);
        return TypedResults.Created($"/v1/products/{row.Id}", ToResponse(row));
    }

    public static async Task<Ok<ProductListResponse>> ListProducts(ProductStore store, CancellationToken ct) =>
        TypedResults.Ok(new ProductListResponse((await store.ListActiveAsync(ct)).Select(ToResponse).ToList()));

    public static async Task<Results<Ok<ProductResponse>, ProblemHttpResult>> GetProduct(
        Guid productId, int? version, HttpContext http, CurrentCaller caller, ProductStore store, CancellationToken ct)
    {
        var row = await store.GetAsync(productId, version, ct);
        // Retired products stay readable for staff (loans refer to them); others see only what is on offer.
        if (row is null || (row.Status != ProductStore.Active && !caller.IsStaff))
        {
            return Problems.NotFound("The product");
        }

        return TypedResults.Ok(ToResponse(row));
    }

    public static async Task<Results<Ok<ProductResponse>, ProblemHttpResult>> UpdateProduct(
        Guid productId, ProductDefinition request, HttpContext http, CurrentCaller caller, ProductStore store, CancellationToken ct)
    {
        return await store.UpdateAsync(productId, request, caller.Actor, ct) switch
        {
            (ProductChange.NotFound, _) => Problems.NotFound("The product"),
            (ProductChange.Retired, _) => Problems.Conflict("product_retired", "A retired product cannot be changed."),
            (_, var row) => TypedResults.Ok(ToResponse(row!)),
        };
    }

    public static async Task<Results<Ok<ProductResponse>, ProblemHttpResult>> RetireProduct(
        Guid productId, HttpContext http, CurrentCaller caller, ProductStore store, CancellationToken ct) =>
        await store.RetireAsync(productId, caller.Actor, ct) is { } row
            ? TypedResults.Ok(ToResponse(row))
            : Problems.NotFound("The product");

    public static ProductResponse ToResponse(ProductRow r)
    {
        var rules = r.PaymentRules;
        return new(
            r.Id, r.Version, r.Status, r.Name, r.Methods, r.AnnualRateMin, r.AnnualRateMax, r.AmountMin, r.AmountMax,
            r.TermMinMonths, r.TermMaxMonths, r.PenaltyDailyRate, r.PenaltyCapShare, ProductPaymentRules.PresetOf(rules.Order), rules.Order.Rules,
            rules.Overpayment, ProductPaymentRules.SettingOf(rules.Prepayment), r.AgeMin, r.AgeMax, r.AutoApprovalLimit,
            r.MonthlyFeeRate, r.Pricing, DbTime.ToOffset(r.CreatedAt), DbTime.ToOffset(r.VersionCreatedAt));
    }
}
