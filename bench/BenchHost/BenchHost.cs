using Dapper;
using HeadlessLoan.Api.Platform.Auth;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Platform.RateLimiting;
using MySqlConnector;

namespace HeadlessLoan.Bench;

/// <summary>
/// The service with the intake benchmark's baselines (bench/intake.sh): one INSERT of an application row, once bare
/// (anonymous, nothing else) and once behind what every borrower request passes (bearer token, per-caller limit,
/// Idempotency-Key), so submit's cost shows as a ratio within one process. Never part of the production assembly.
/// </summary>
public static class BenchHost
{
    public static async Task Main(string[] args)
    {
        var app = Program.AddModules(WebApplication.CreateBuilder(args)).Build();
        Program.MapModules(app);
        app.MapPost("/bench/bare-insert", InsertAsync).AllowAnonymous().ExcludeFromDescription();
        app.MapPost("/bench/borrower-insert", InsertAsync).RequireAuthorization(Policies.Borrower)
            .RequireRateLimiting(RateLimitPolicies.PerCaller).ExcludeFromDescription();
        await app.RunAsync();
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
