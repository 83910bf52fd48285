using HeadlessLoan.Api.Platform.Auth;
using HeadlessLoan.Api.Platform.Errors;
using HeadlessLoan.Api.Platform.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HeadlessLoan.Api.Features.Ledger;

/// <summary>The double-entry ledger: postings (for the features that move money) and the reconciliation that proves the books.</summary>
public static class LedgerFeature
{
    public static WebApplicationBuilder AddLedger(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<LedgerStore>();
        builder.Services.AddSingleton<LedgerReconciliation>();
        return builder;
    }

    public static IEndpointRouteBuilder MapLedger(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/ledger/reconciliation", Reconcile).WithName("ReconcileLedger").WithTags("Ledger")
            .WithSummary("Prove the books: balanced entries, loan snapshots equal to their lines and to their schedules")
            .RequireAuthorization(Policies.Auditor).RequireRateLimiting(RateLimitPolicies.PerCaller)
            .ProducesAuthProblems(forbidden: true).ProducesProblems(429);
        return app;
    }

    public static async Task<Ok<LedgerReconciliationResponse>> Reconcile(LedgerReconciliation reconciliation, CancellationToken ct) =>
        TypedResults.Ok(await reconciliation.RunAsync(ct));
}
