using Dapper;
using HeadlessLoan.Api.Platform.Auth;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Platform.RateLimiting;
using HeadlessLoan.Api.Tests.Loans;
using MySqlConnector;

namespace HeadlessLoan.Bench;

/// <summary>
/// The service with the benchmarks' baselines, so a feature's cost shows as a ratio within one process. Never part
/// of the production assembly.
/// <list type="bullet">
/// <item>bench/intake.sh: one INSERT of an application row, once bare (anonymous, nothing else) and once behind what
/// every borrower request passes (bearer token, per-caller limit, Idempotency-Key).</item>
/// <item>bench/loan-read.sh: a single-row read of a loan by its id, behind what every loan read passes (bearer
/// token, per-caller limit); and the long loan it reads, seeded as the tests seed it (<see cref="LongLoan"/>), with a
/// token of its borrower.</item>
/// </list>
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
        app.MapPost("/bench/long-loan", SeedLongLoanAsync).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/bench/loans/{loanId:guid}/row", ReadLoanRowAsync).RequireAuthorization(Policies.AnyCaller)
            .RequireRateLimiting(RateLimitPolicies.PerCaller).ExcludeFromDescription();
        await app.RunAsync();
    }

    /// <summary>A loan of 360 periods and 1,000 journal entries for a new borrower (on the first product version), and that borrower's token.</summary>
    private static async Task<IResult> SeedLongLoanAsync(MySqlDataSource db, TokenIssuer tokens, TimeProvider clock, CancellationToken ct)
    {
        var borrowerId = Guid.CreateVersion7();
        var applicationId = Guid.CreateVersion7();
        var now = DbTime.Now(clock);
        await using var conn = await db.OpenConnectionAsync(ct);
        var (productId, version) = await conn.QuerySingleAsync<(Guid, int)>(new CommandDefinition(
            "SELECT product_id, version FROM product_versions ORDER BY product_id, version LIMIT 1", cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO applications
              (id, borrower_id, product_id, product_version, amount, term_months, method, purpose, declared_name_enc, declared_name_hash,
               declared_region_code, declared_address_enc, status, current_step, submitted_at, created_at, updated_at)
            VALUES (@applicationId, @borrowerId, @productId, @version, @principal, @periods, 'equal_installment', 'bench', @blob, @hash,
                    '110101', @blob, 'bench', 'bench', @now, @now, @now)
            """, new { applicationId, borrowerId, productId, version, principal = LongLoan.Principal, periods = LongLoan.Periods, blob = Blob, hash = Hash, now },
            cancellationToken: ct));
        var loanId = await LongLoan.SeedAsync(conn, new LongLoanOwner(applicationId, productId, version, borrowerId, null), new DateOnly(2000, 1, 31));
        return Results.Ok(new { loanId, accessToken = tokens.Issue(Caller.Borrower, borrowerId.ToString(), "borrower", []).AccessToken });
    }

    /// <summary>One row by its primary key, a few columns: the read every loan read is compared with.</summary>
    private static async Task<IResult> ReadLoanRowAsync(Guid loanId, MySqlDataSource db, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<LoanRowRead>(new CommandDefinition(
            "SELECT id, status, principal, updated_at FROM loans WHERE id = @loanId", new { loanId }, cancellationToken: ct));
        return row is null ? Results.NotFound() : Results.Ok(row);
    }

    private sealed record LoanRowRead(Guid Id, string Status, long Principal, DateTime UpdatedAt);

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
