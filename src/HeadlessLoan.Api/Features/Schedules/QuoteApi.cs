using HeadlessLoan.Api.Platform;
using HeadlessLoan.Api.Platform.Errors;
using HeadlessLoan.Api.Platform.Json;
using HeadlessLoan.Api.Platform.RateLimiting;
using HeadlessLoan.Api.Features.Products;
using HeadlessLoan.Domain.Schedules;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HeadlessLoan.Api.Features.Schedules;

/// <summary>Either explicit terms (rate and method) or a product whose terms fill in what is missing.</summary>
public sealed record QuoteRequest(long? Principal, decimal? AnnualRate, int? TermMonths, RepaymentMethod? Method, DateOnly? StartDate, Guid? ProductId);

public sealed record QuotePeriod(int Period, DateOnly DueDate, long Principal, long Interest, long Payment, long RemainingPrincipal);

public sealed record QuoteResponse(
    long Principal,
    decimal AnnualRate,
    int TermMonths,
    RepaymentMethod Method,
    DateOnly StartDate,
    Guid? ProductId,
    int? ProductVersion,
    IReadOnlyList<QuotePeriod> Periods,
    long TotalInterest,
    long TotalPayment,
    decimal Apr,
    decimal EffectiveAnnualRate);

/// <summary>
/// <c>POST /v1/schedules/quote</c>: the repayment schedule for given terms, anonymous so a mini-program can show a
/// calculator before sign-in; limited per client address.
/// </summary>
public static class QuoteApi
{
    public static IEndpointRouteBuilder MapSchedulesApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/schedules/quote", Quote)
            .WithName("QuoteSchedule")
            .WithSummary("Compute a repayment schedule with its APR")
            .WithTags("Schedules")
            .AllowAnonymous()
            .RequireRateLimiting(RateLimitPolicies.Quote)
            .ProducesProblems(400, 404, 422, 429);
        return app;
    }

    public static async Task<Results<PreserializedJsonResult<QuoteResponse>, ProblemHttpResult>> Quote(
        QuoteRequest request, IProductCatalog products, QuoteCache quotes, TimeProvider clock, CancellationToken ct)
    {
        var v = new RequestValidator();
        v.Required(request.Principal, "principal");
        v.Range(request.Principal, ScheduleLimits.MinPrincipal, ScheduleLimits.MaxPrincipal, "principal");
        v.Required(request.TermMonths, "termMonths");
        v.Range(request.TermMonths, ScheduleLimits.MinTermMonths, ScheduleLimits.MaxTermMonths, "termMonths");
        v.Range(request.AnnualRate, ScheduleLimits.MinAnnualRate, ScheduleLimits.MaxAnnualRate, "annualRate");
        v.DecimalPlaces(request.AnnualRate, ScheduleLimits.RateDecimalPlaces, "annualRate");
        v.Range(request.StartDate, ScheduleLimits.MinStartDate, ScheduleLimits.MaxStartDate, "startDate");

        var rate = request.AnnualRate;
        var method = request.Method;
        ProductRow? product = null;
        if (request.ProductId is { } productId)
        {
            product = await products.GetAsync(productId, null, ct);
            if (product is null || !product.IsActive)
            {
                return Problems.NotFound("The product");
            }

            // The product's terms bound the quote; its highest rate is quoted unless a rate is asked for.
            rate ??= product.AnnualRateMax;
            method ??= product.Methods[0];
            CheckAgainstProduct(v, request, rate.Value, method.Value, product);
        }
        else
        {
            v.Required(request.AnnualRate, "annualRate");
            v.Required(request.Method, "method");
        }

        if (v.HasErrors)
        {
            return v.ToProblem();
        }

        var start = request.StartDate ?? ChinaTime.Today(clock);
        var terms = new ScheduleTerms(request.Principal!.Value, rate!.Value, request.TermMonths!.Value, method!.Value, start);
        return new PreserializedJsonResult<QuoteResponse>(quotes.GetOrCreate(terms, product?.Id, product?.Version));
    }

    private static void CheckAgainstProduct(RequestValidator v, QuoteRequest request, decimal rate, RepaymentMethod method, ProductRow product)
    {
        if (!product.Methods.Contains(method))
        {
            v.Add("method", $"The product allows: {string.Join(", ", product.Methods.Select(RepaymentMethodNames.ToWire))}.");
        }

        if (rate < product.AnnualRateMin || rate > product.AnnualRateMax)
        {
            v.Add("annualRate", $"The product allows {product.AnnualRateMin:0.######} to {product.AnnualRateMax:0.######}.");
        }

        if (request.Principal is { } p && (p < product.AmountMin || p > product.AmountMax))
        {
            v.Add("principal", $"The product lends {product.AmountMin} to {product.AmountMax} fen.");
        }

        if (request.TermMonths is { } t && (t < product.TermMinMonths || t > product.TermMaxMonths))
        {
            v.Add("termMonths", $"The product allows {product.TermMinMonths} to {product.TermMaxMonths} months.");
        }
    }
}
