using Dapper;
using HeadlessLoan.Api.Platform;
using MySqlConnector;

namespace HeadlessLoan.Api.Features.Borrowers;

/// <summary>A borrower's WeChat openid in our mini-program: who WeChat Pay orders are placed for.</summary>
[FeatureApi]
public sealed class BorrowerOpenIds(MySqlDataSource db)
{
    public async Task<string?> OpenIdAsync(Guid borrowerId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT wechat_openid FROM borrowers WHERE id = @borrowerId", new { borrowerId }, cancellationToken: ct));
    }
}
