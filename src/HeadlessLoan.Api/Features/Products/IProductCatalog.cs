using HeadlessLoan.Api.Platform;

namespace HeadlessLoan.Api.Features.Products;

/// <summary>What other features may read of products: one version, the current one or a given one.</summary>
[FeatureApi]
public interface IProductCatalog
{
    /// <summary>The current version when <paramref name="version"/> is null (a loan reads the version it was made under).</summary>
    Task<ProductRow?> GetAsync(Guid id, int? version, CancellationToken ct);
}
