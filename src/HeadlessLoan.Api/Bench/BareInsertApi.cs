using Dapper;
using HeadlessLoan.Api.Auth;
using HeadlessLoan.Api.Infrastructure.RateLimiting;
using HeadlessLoan.Api.Infrastructure.Database;
using MySqlConnector;

namespace HeadlessLoan.Api.Bench;

/// <summary>
/// Baselines for the intake benchmark (bench/intake.sh): the same process writing one application row with one
/// INSERT, so submit's cost can be shown as a ratio — once bare (anonymous, nothing else) and once behind what
/// every borrower request passes (bearer token, per-caller limit, Idempotency-Key), which separates submit's own
/// work from the request pipeline's. Mapped only when <c>Bench:Enabled</c> is true, never described in the
/// contract: do not enable it outside a benchmark.
/// </summary>
public static class BareInsertApi
{
    public static WebApplication MapBenchApi(this WebApplication app)
    {
        if (!app.Configuration.GetValue<bool>("Bench:Enabled"))
        {
            return app;
        }

        app.MapPost("/bench/bare-insert", InsertAsync).AllowAnonymous().ExcludeFromDescription();
        app.MapPost("/bench/borrower-insert", InsertAsync).RequireAuthorization(Policies.Borrower)
            .RequireRateLimiting(RateLimitPolicies.PerCaller).ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> InsertAsync(MySqlDataSource db, TimeProvider clock, CancellationToken ct)
    {
        var now = DbTime.Now(clock);
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO applications
              (id, product_id, product_version, amount, term_months, method, purpose, declared_name_enc, declared_name_hash,
               declared_region_code, declared_address_enc, status, current_step, submitted_at, created_at, updated_at)
            SELECT @id, product_id, version, 1000000, 12, 'equal_installment', 'bench', @blob, @hash,
                   '110101', @blob, 'bench', 'bench', @now, @now, @now
              FROM product_versions LIMIT 1
            """, new { id = Guid.CreateVersion7(), blob = Blob, hash = Hash, now }, cancellationToken: ct));
        return Results.NoContent();
    }

    // Sized like an encrypted name and its lookup hash.
    private static readonly byte[] Blob = new byte[48];
    private static readonly byte[] Hash = new byte[32];
}
