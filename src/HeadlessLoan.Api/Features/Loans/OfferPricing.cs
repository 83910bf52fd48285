using HeadlessLoan.Api.Features.Products;
using HeadlessLoan.Api.Platform;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Domain.Applications;
using HeadlessLoan.Domain.Pricing;
using HeadlessLoan.Domain.Schedules;
using Microsoft.Extensions.Options;

namespace HeadlessLoan.Api.Features.Loans;

/// <summary>An application's offer and what it was priced with: the band, the ceiling and the LPR in force.</summary>
public sealed record PricedOffer(
    ApprovedApplication Application, ProductRow Product, LoanOffer Offer, PricingBand? Band, decimal Ceiling, decimal OneYearLpr,
    DateOnly? LprDate, DateTime ExpiresAt)
{
    public bool ExpiredAt(DateTime now) => now > ExpiresAt;
}

/// <summary>
/// Prices the offer of an approved application from facts that do not change once it is approved: the product version
/// it was made under (its pricing table and fee), the bureau score of its decision, and the approved terms. Only the
/// ceiling moves with the LPR in force. Shown and accepted offers are priced by the same code, so acceptance compares
/// like with like.
/// </summary>
public sealed class OfferPricing(IProductCatalog products, IOptionsMonitor<RatesOptions> rates, IOptions<LoansOptions> options, TimeProvider clock)
{
    public static bool IsApproved(ApprovedApplication application) =>
        ApplicationStatusNames.Parse(application.Status) == ApplicationStatus.Approved && application.DecidedAt is not null;

    /// <summary>The offer of <paramref name="application"/> (approved), its schedule dated from today in China.</summary>
    public async Task<PricedOffer> PriceAsync(ApprovedApplication application, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(application);
        var product = await products.GetAsync(application.ProductId, application.ProductVersion, ct)
            ?? throw new InvalidOperationException($"Product version {application.ProductId}/{application.ProductVersion} of an application is missing.");
        var (rate, band) = PricingTable.RateFor(product.Pricing, application.BureauScore, product.AnnualRateMax);
        var method = RepaymentMethodNames.TryParse(application.Method, out var m) ? m : throw new InvalidDataException($"Stored method '{application.Method}'.");
        var offer = LoanOffers.Make(new OfferTerms(
            application.Amount, application.TermMonths, method, rate, product.MonthlyFeeRate, ChinaTime.Today(clock)));
        var current = rates.CurrentValue;
        return new PricedOffer(application, product, offer, band, current.AllInCeiling, current.OneYearLpr, current.OneYearLprDate,
            application.DecidedAt!.Value.AddHours(options.Value.OfferValidHours));
    }

    public DateTime Now => DbTime.Now(clock);
}
