using HeadlessLoan.Api.Platform.Audit;
using Dapper;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Platform.Privacy;
using MySqlConnector;

namespace HeadlessLoan.Api.Features.Borrowers;

public sealed record BorrowerRow(Guid Id, byte[]? PhoneEnc, DateTime CreatedAt);

/// <summary>SQL for borrowers; personal fields go in and out through <see cref="PersonalDataProtector"/>.</summary>
public sealed class BorrowerStore(MySqlDataSource db, AuditTrail audit, PersonalDataProtector protector, TimeProvider clock)
{
    /// <summary>The longest openid and unionid kept (WeChat's are 28 characters), ASCII.</summary>
    public const int MaxWeChatIdLength = 64;

    /// <summary>The longest session key kept (WeChat's is Base64 of 16 bytes, 24 characters), ASCII.</summary>
    public const int MaxSessionKeyLength = 64;

    /// <summary>The longest phone number kept: E.164 allows 15 digits with the country code, and WeChat's pure number has none.</summary>
    public const int MaxPhoneDigits = 15;

    /// <summary>Finds the borrower by openid or creates one, in one statement; says whether it was created.</summary>
    public async Task<(Guid Id, bool Created)> SignInAsync(string openId, string? unionId, string sessionKey, CancellationToken ct)
    {
        var candidate = Guid.CreateVersion7();
        var now = DbTime.Now(clock);
        await using var conn = await db.OpenConnectionAsync(ct);
        // VALUES() is understood by both MariaDB and MySQL 8 (where it is deprecated but supported).
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO borrowers (id, wechat_openid, wechat_unionid, session_key_enc, created_at, last_login_at)
            VALUES (@candidate, @openId, @unionId, @sessionKey, @now, @now)
            ON DUPLICATE KEY UPDATE
              wechat_unionid = COALESCE(VALUES(wechat_unionid), wechat_unionid),
              session_key_enc = VALUES(session_key_enc),
              last_login_at = VALUES(last_login_at)
            """, new { candidate, openId, unionId, sessionKey = protector.Encrypt(sessionKey, PersonalDataPurpose.WeChatSessionKey), now },
            cancellationToken: ct));
        var id = await conn.ExecuteScalarAsync<Guid>(new CommandDefinition(
            "SELECT id FROM borrowers WHERE wechat_openid = @openId", new { openId }, cancellationToken: ct));
        return (id, id == candidate);
    }

    public async Task<BorrowerRow?> GetAsync(Guid id, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<BorrowerRow>(new CommandDefinition(
            "SELECT id, phone_enc, created_at FROM borrowers WHERE id = @id", new { id }, cancellationToken: ct));
    }

    /// <summary>Binds the phone number WeChat vouched for; the borrower as it now is, or null when there is no such borrower.</summary>
    public async Task<BorrowerRow?> SetPhoneAsync(Guid id, string phone, AuditActor actor, CancellationToken ct)
    {
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        var updated = await change.ExecuteAsync(
            "UPDATE borrowers SET phone_enc = @enc, phone_hash = @hash WHERE id = @id",
            new
            {
                id,
                enc = protector.Encrypt(phone, PersonalDataPurpose.Phone),
                hash = protector.LookupHash(phone, PersonalDataPurpose.Phone),
            }, ct);
        if (updated == 0)
        {
            return null;
        }

        // The number itself stays out of the trail: it is personal data, kept encrypted on the row.
        change.Audit(new AuditEntry(actor, "borrower.phone_bound", "borrower", id.ToString(), null, new { phoneBound = true }));
        var row = await change.QuerySingleOrDefaultAsync<BorrowerRow>("SELECT id, phone_enc, created_at FROM borrowers WHERE id = @id", new { id }, ct);
        await change.CommitAsync(ct);
        return row;
    }
}
