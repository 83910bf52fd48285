using Dapper;
using HeadlessLoan.Api.Platform;
using HeadlessLoan.Api.Platform.Audit;
using HeadlessLoan.Api.Platform.Database;
using System.Globalization;
using HeadlessLoan.Domain.Loans;
using HeadlessLoan.Domain.Pricing;
using HeadlessLoan.Domain.Schedules;
using MySqlConnector;

namespace HeadlessLoan.Api.Features.Products;

/// <summary>A product joined with one of its versions, as stored.</summary>
[FeatureApi]
public sealed record ProductRow(
    Guid Id, int Version, string Status, string Name, string RepaymentMethods,
    decimal AnnualRateMin, decimal AnnualRateMax, long AmountMin, long AmountMax,
    int TermMinMonths, int TermMaxMonths, decimal PenaltyDailyRate, string AllocationOrder,
    int AgeMin, int AgeMax, long AutoApprovalLimit, DateTime CreatedAt, DateTime VersionCreatedAt,
    decimal MonthlyFeeRate, string PricingBands, string Overpayment, string Prepayment, decimal PenaltyCapShare)
{
    /// <summary>Where its loans' payments go, what becomes of what is left over, and what a prepayment buys.</summary>
    public PaymentRules PaymentRules => ProductStore.RulesOf(AllocationOrder, Overpayment, Prepayment);

    /// <summary>The pricing table, stored as <c>minScore:rate</c> pairs in floor order (empty: no table).</summary>
    public IReadOnlyList<PricingBand> Pricing =>
        PricingBands.Length == 0 ? [] : PricingBands.Split(',').Select(ParseBand).ToArray();

    public static string FormatPricing(IReadOnlyList<PricingBand> bands) =>
        string.Join(',', bands.Select(b => string.Create(CultureInfo.InvariantCulture, $"{b.MinScore}:{b.AnnualRate}")));

    private static PricingBand ParseBand(string stored) =>
        stored.Split(':') is [var score, var rate]
            ? new PricingBand(int.Parse(score, CultureInfo.InvariantCulture), decimal.Parse(rate, CultureInfo.InvariantCulture))
            : throw new InvalidDataException($"Stored pricing band '{stored}'.");

    public bool IsActive => Status == ProductStore.Active;

    public IReadOnlyList<RepaymentMethod> Methods =>
        RepaymentMethods.Split(',').Select(w => RepaymentMethodNames.TryParse(w, out var m) ? m : throw new InvalidDataException($"Stored method '{w}'.")).ToList();
}

public enum ProductChange { Done, NotFound, Retired }

/// <summary>SQL for products. Each change writes a new version row and its outbox event in one transaction.</summary>
public sealed class ProductStore(MySqlDataSource db, AuditTrail audit, TimeProvider clock) : IProductCatalog
{
    public const string Active = "active";
    public const string Retired = "retired";
    private const string EntityType = "product";

    public async Task<ProductRow> CreateAsync(ProductDefinition definition, AuditActor actor, CancellationToken ct)
    {
        var id = Guid.CreateVersion7();
        var now = DbTime.Now(clock);
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        await change.ExecuteAsync(
            "INSERT INTO products (id, current_version, status, created_at, updated_at) VALUES (@id, 1, 'active', @now, @now)", new { id, now }, ct);
        await InsertVersionAsync(change, id, 1, definition, actor, now, ct);
        change.Outbox("product.created", id, new { productId = id, version = 1 }, now);
        var created = await ReadAsync(change, id, ct);
        change.Audit(new AuditEntry(actor, "product.created", EntityType, id.ToString(), null, ProductsApi.ToResponse(created)));
        await change.CommitAsync(ct);
        return created;
    }

    public async Task<(ProductChange Outcome, ProductRow? Row)> UpdateAsync(Guid id, ProductDefinition definition, AuditActor actor, CancellationToken ct)
    {
        var now = DbTime.Now(clock);
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        // The UPDATE takes the row lock, so concurrent updates get consecutive versions.
        var updated = await change.ExecuteAsync(
            "UPDATE products SET current_version = current_version + 1, updated_at = @now WHERE id = @id AND status = 'active'", new { id, now }, ct);
        if (updated == 0)
        {
            var status = await change.ScalarAsync<string?>("SELECT status FROM products WHERE id = @id", new { id }, ct);
            return (status is null ? ProductChange.NotFound : ProductChange.Retired, null);
        }

        var version = await change.ScalarAsync<int>("SELECT current_version FROM products WHERE id = @id", new { id }, ct);
        var before = await ReadAsync(change, id, ct, version - 1);
        await InsertVersionAsync(change, id, version, definition, actor, now, ct);
        change.Outbox("product.updated", id, new { productId = id, version }, now);
        var after = await ReadAsync(change, id, ct);
        change.Audit(new AuditEntry(actor, "product.updated", EntityType, id.ToString(), ProductsApi.ToResponse(before), ProductsApi.ToResponse(after)));
        await change.CommitAsync(ct);
        return (ProductChange.Done, after);
    }

    /// <summary>The product as it now is; retiring twice is harmless (and recorded once). Null when there is no such product.</summary>
    public async Task<ProductRow?> RetireAsync(Guid id, AuditActor actor, CancellationToken ct)
    {
        var now = DbTime.Now(clock);
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        var before = await change.QuerySingleOrDefaultAsync<ProductRow>(SelectProduct + " WHERE p.id = @id AND v.version = p.current_version FOR UPDATE", new { id }, ct);
        if (before is null)
        {
            return null;
        }

        if (before.Status != Active)
        {
            return before;
        }

        await change.ExecuteAsync("UPDATE products SET status = 'retired', updated_at = @now WHERE id = @id", new { id, now }, ct);
        change.Outbox("product.retired", id, new { productId = id, version = before.Version }, now);
        var after = await ReadAsync(change, id, ct);
        change.Audit(new AuditEntry(actor, "product.retired", EntityType, id.ToString(), ProductsApi.ToResponse(before), ProductsApi.ToResponse(after)));
        await change.CommitAsync(ct);
        return after;
    }

    private static async Task<ProductRow> ReadAsync(DbChange change, Guid id, CancellationToken ct, int? version = null) =>
        await change.QuerySingleOrDefaultAsync<ProductRow>(
            SelectProduct + " WHERE p.id = @id AND v.version = COALESCE(@version, p.current_version)", new { id, version }, ct)
        ?? throw new InvalidOperationException($"Product {id} vanished inside its own transaction.");

    /// <summary>The current version, or a given one (a loan reads the version it was made under).</summary>
    public async Task<ProductRow?> GetAsync(Guid id, int? version, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<ProductRow>(new CommandDefinition(
            SelectProduct + " WHERE p.id = @id AND v.version = COALESCE(@version, p.current_version)",
            new { id, version }, cancellationToken: ct));
    }

    /// <summary>
    /// A version's payment rules, read in the caller's change (versions never change, so this reads without locking
    /// anything); null when there is no such version.
    /// </summary>
    public async Task<PaymentRules?> PaymentRulesAsync(DbChange change, Guid productId, int version, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(change);
        return await change.QuerySingleOrDefaultAsync<(string AllocationOrder, string Overpayment, string Prepayment)?>(
            "SELECT allocation_order, overpayment, prepayment FROM product_versions WHERE product_id = @productId AND version = @version",
            new { productId, version }, ct) is (var order, var overpayment, var prepayment)
            ? RulesOf(order, overpayment, prepayment)
            : null;
    }

    internal static PaymentRules RulesOf(string allocationOrder, string overpayment, string prepayment) => new(
        ProductPaymentRules.ParseOrder(allocationOrder), ProductPaymentRules.Parse<Overpayment>(overpayment),
        ProductPaymentRules.ModeOf(ProductPaymentRules.Parse<PrepaymentSetting>(prepayment)));

    public async Task<IReadOnlyList<ProductRow>> ListActiveAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<ProductRow>(new CommandDefinition(
            SelectProduct + " WHERE p.status = 'active' AND v.version = p.current_version ORDER BY p.created_at, p.id", cancellationToken: ct))).AsList();
    }

    private static Task<int> InsertVersionAsync(DbChange change, Guid id, int version, ProductDefinition d, AuditActor actor, DateTime now, CancellationToken ct)
    {
        var rules = ProductPaymentRules.Of(d);
        return change.ExecuteAsync("""
            INSERT INTO product_versions
              (product_id, version, name, repayment_methods, annual_rate_min, annual_rate_max, amount_min, amount_max,
               term_min_months, term_max_months, penalty_daily_rate, allocation_order, age_min, age_max, auto_approval_limit,
               monthly_fee_rate, pricing, overpayment, prepayment, penalty_cap_share, created_at, created_by)
            VALUES
              (@id, @version, @Name, @Methods, @AnnualRateMin, @AnnualRateMax, @AmountMin, @AmountMax,
               @TermMinMonths, @TermMaxMonths, @PenaltyDailyRate, @Allocation, @AgeMin, @AgeMax, @AutoApprovalLimit,
               @MonthlyFeeRate, @Pricing, @Overpayment, @Prepayment, @PenaltyCapShare, @now, @actor)
            """, new
        {
            id,
            version,
            Name = d.Name!.Trim(),
            Methods = string.Join(',', d.RepaymentMethods!.Select(RepaymentMethodNames.ToWire)),
            d.AnnualRateMin,
            d.AnnualRateMax,
            d.AmountMin,
            d.AmountMax,
            d.TermMinMonths,
            d.TermMaxMonths,
            d.PenaltyDailyRate,
            Allocation = ProductPaymentRules.FormatOrder(rules.Order),
            d.AgeMin,
            d.AgeMax,
            d.AutoApprovalLimit,
            MonthlyFeeRate = d.MonthlyFeeRate ?? 0m,
            Pricing = ProductRow.FormatPricing(ProductRules.BandsOf(d.Pricing)),
            Overpayment = EnumNames.Wire(rules.Overpayment),
            Prepayment = EnumNames.Wire(ProductPaymentRules.SettingOf(rules.Prepayment)),
            PenaltyCapShare = d.PenaltyCapShare ?? ProductRules.DefaultPenaltyCapShare,
            now,
            actor = Guid.Parse(actor.Id),
        }, ct);
    }

    private const string SelectProduct = """
        SELECT p.id, v.version, p.status, v.name, v.repayment_methods,
               v.annual_rate_min, v.annual_rate_max, v.amount_min, v.amount_max,
               v.term_min_months, v.term_max_months, v.penalty_daily_rate,
               v.allocation_order, v.age_min, v.age_max, v.auto_approval_limit,
               p.created_at, v.created_at AS VersionCreatedAt, v.monthly_fee_rate, v.pricing AS PricingBands,
               v.overpayment, v.prepayment, v.penalty_cap_share
          FROM products p JOIN product_versions v ON v.product_id = p.id
        """;
}
