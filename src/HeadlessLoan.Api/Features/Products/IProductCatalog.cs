using HeadlessLoan.Api.Platform;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Domain.Loans;

namespace HeadlessLoan.Api.Features.Products;

/// <summary>What other features may read of products: one version, the current one or a given one.</summary>
[FeatureApi]
public interface IProductCatalog
{
    /// <summary>The current version when <paramref name="version"/> is null (a loan reads the version it was made under).</summary>
    Task<ProductRow?> GetAsync(Guid id, int? version, CancellationToken ct);

    /// <summary>What a version says about its loans' payments (allocation order, overpayment, prepayment), read in <paramref name="change"/>; null when there is no such version.</summary>
    Task<PaymentRules?> PaymentRulesAsync(DbChange change, Guid productId, int version, CancellationToken ct);
}
