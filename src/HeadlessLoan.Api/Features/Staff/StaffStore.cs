using Dapper;
using HeadlessLoan.Api.Platform.Audit;
using HeadlessLoan.Api.Platform.Auth;
using HeadlessLoan.Api.Platform.Database;
using Microsoft.AspNetCore.Identity;
using MySqlConnector;

namespace HeadlessLoan.Api.Features.Staff;

public static class StaffRules
{
    public const int MinPasswordLength = 12;
    public const int MaxPasswordLength = 128;
}

public sealed record StaffUser(Guid Id, string Username, string DisplayName, string PasswordHash, string Roles, bool Disabled, int TokenVersion, DateTime CreatedAt)
{
    public IReadOnlyList<string> RoleList => Roles.Split(',', StringSplitOptions.RemoveEmptyEntries);

    public bool IsAdmin => RoleList.Contains(Platform.Auth.Roles.Admin);
}

/// <summary>An account as administered: whether it may sign in, and whether some address is locked out of it now.</summary>
public sealed record StaffAccount(StaffUser User, bool Locked);

/// <summary>A known account's password as checked under its address's guard.</summary>
public enum GuardedPassword
{
    /// <summary>The address is locked out of the account (or its attempts are in flight): the password was not looked at.</summary>
    LockedOut,
    Wrong,

    /// <summary>Wrong, and this failure used the address's last attempt: it is locked out now.</summary>
    WrongNowLockedOut,
    Right,
    RightRehashNeeded,
}

/// <summary>Why an administrative change of an account was refused.</summary>
public enum StaffChangeRefusal
{
    None,
    NotFound,
    LastAdmin,
}

/// <summary>SQL for staff accounts; passwords go through ASP.NET Core Identity's PBKDF2 hasher.</summary>
public sealed class StaffStore(MySqlDataSource db, AuditTrail audit, TimeProvider clock) : ITokenRevocation
{
    /// <summary>Who creates the first admin: the service itself, from configuration.</summary>
    public static readonly AuditActor Bootstrap = new(AuditActor.SystemKind, "bootstrap");

    /// <summary>Who records sign-ins: the caller is not known until one succeeds.</summary>
    public static readonly AuditActor SignIn = new(AuditActor.SystemKind, "staff-sign-in");

    private const string EntityType = "staff";

    private static readonly PasswordHasher<StaffUser> Hasher = new();

    // Verified when no account's hash may be verified (unknown username, locked out), so every refusal costs as long as a
    // wrong password.
    private static readonly string DecoyHash = Hasher.HashPassword(null!, "decoy-password-for-timing");

    string ITokenRevocation.Kind => Caller.Staff;

    public static string HashPassword(string password) => Hasher.HashPassword(null!, password);

    public static PasswordVerificationResult Verify(StaffUser? user, string password)
    {
        var result = Hasher.VerifyHashedPassword(user!, user?.PasswordHash ?? DecoyHash, password);
        return user is null ? PasswordVerificationResult.Failed : result;
    }

    public async Task<StaffUser?> FindByUsernameAsync(string username, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<StaffUser>(new CommandDefinition(SelectUser + " WHERE username = @username", new { username }, cancellationToken: ct));
    }

    public async Task<StaffUser?> FindAsync(Guid id, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<StaffUser>(new CommandDefinition(SelectUser + " WHERE id = @id", new { id }, cancellationToken: ct));
    }

    public async Task<StaffAccount?> FindAccountAsync(Guid id, CancellationToken ct) =>
        (await AccountsAsync(" WHERE u.id = @id", new { id, now = DbTime.Now(clock) }, ct)).SingleOrDefault();

    public Task<IReadOnlyList<StaffAccount>> ListAsync(CancellationToken ct) =>
        AccountsAsync(" ORDER BY u.created_at, u.id", new { now = DbTime.Now(clock) }, ct);

    private async Task<IReadOnlyList<StaffAccount>> AccountsAsync(string where, object parameters, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await AccountsAsync(conn, null, where, parameters, ct);
    }

    /// <summary>
    /// The account as <paramref name="change"/> left it, read in its transaction: the answer to a change must show the
    /// change, also when its commit is deferred to the end of the request (a request with an Idempotency-Key).
    /// </summary>
    private async Task<StaffAccount> AccountInAsync(DbChange change, Guid id, CancellationToken ct) =>
        (await AccountsAsync(change.Connection, change.Transaction, " WHERE u.id = @id", new { id, now = DbTime.Now(clock) }, ct)).Single();

    private static async Task<IReadOnlyList<StaffAccount>> AccountsAsync(
        MySqlConnection conn, MySqlTransaction? tx, string where, object parameters, CancellationToken ct)
    {
        var rows = await conn.QueryAsync<StaffUser, int, StaffAccount>(new CommandDefinition("""
            SELECT u.id, u.username, u.display_name, u.password_hash, u.roles, u.disabled, u.token_version, u.created_at,
                   EXISTS (SELECT 1 FROM staff_sign_in_guards g WHERE g.staff_id = u.id AND g.locked_until > @now) AS locked
              FROM staff_users u
            """ + where, parameters, tx, cancellationToken: ct), (user, locked) => new StaffAccount(user, locked != 0), splitOn: "locked");
        return rows.AsList();
    }

    /// <summary>False when the username is taken.</summary>
    public async Task<bool> InsertAsync(StaffUser user, AuditActor actor, CancellationToken ct)
    {
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        try
        {
            await change.ExecuteAsync(InsertUser, user, ct);
        }
        catch (MySqlException e) when (e.ErrorCode == MySqlErrorCode.DuplicateKeyEntry)
        {
            return false;
        }

        change.Audit(Created(actor, user));
        await change.CommitAsync(ct);
        return true;
    }

    /// <summary>Creates an admin only while no staff exist; true when it did.</summary>
    public async Task<bool> CreateFirstAdminAsync(string username, string password, CancellationToken ct)
    {
        var user = NewUser(username, "Administrator", password, [Platform.Auth.Roles.Admin]);
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        try
        {
            if (await change.ExecuteAsync("""
                INSERT INTO staff_users (id, username, display_name, password_hash, roles, disabled, token_version, created_at)
                SELECT @Id, @Username, @DisplayName, @PasswordHash, @Roles, 0, 0, @CreatedAt FROM DUAL
                 WHERE NOT EXISTS (SELECT 1 FROM staff_users)
                """, user, ct) == 0)
            {
                return false;
            }
        }
        catch (MySqlException e) when (e.ErrorCode == MySqlErrorCode.DuplicateKeyEntry)
        {
            return false; // another instance created it at the same moment
        }

        change.Audit(Created(Bootstrap, user));
        await change.CommitAsync(ct);
        return true;
    }

    // The account as administered: never its password hash.
    private static AuditEntry Created(AuditActor actor, StaffUser user) =>
        new(actor, "staff.created", EntityType, user.Id.ToString(), null, new { user.Username, roles = user.RoleList, user.Disabled });

    public StaffUser NewUser(string username, string displayName, string password, IEnumerable<string> roles) =>
        new(Guid.CreateVersion7(), username, displayName, HashPassword(password), string.Join(',', roles.Distinct(StringComparer.Ordinal)), false, 0, DbTime.Now(clock));

    // ---- Sign-in guards: failures are counted per account and client address, each decided by one conditional UPDATE.

    /// <summary>
    /// Takes one sign-in attempt at the account from <paramref name="source"/>: false when that address is locked out of it,
    /// or when as many attempts as <paramref name="maxFailures"/> are already taken and not yet settled by a success or a lock.
    /// Committed at once, whatever becomes of the request.
    /// </summary>
    public async Task<bool> TryTakeAttemptAsync(Guid id, string source, int maxFailures, CancellationToken ct)
    {
        var take = new CommandDefinition("""
            UPDATE staff_sign_in_guards SET attempts = attempts + 1, locked_until = NULL
             WHERE staff_id = @id AND source = @source AND (locked_until IS NULL OR locked_until <= @now) AND attempts < @maxFailures
            """, new { id, source, maxFailures, now = DbTime.Now(clock) }, cancellationToken: ct);
        await using var conn = await db.OpenConnectionAsync(ct);
        if (await conn.ExecuteAsync(take) == 1)
        {
            return true;
        }

        // The address's first attempt at the account (or none is left): the row exists from now on, and the same UPDATE decides.
        await conn.ExecuteAsync(new CommandDefinition(
            "INSERT IGNORE INTO staff_sign_in_guards (staff_id, source, attempts, locked_until) VALUES (@id, @source, 0, NULL)",
            new { id, source }, cancellationToken: ct));
        return await conn.ExecuteAsync(take) == 1;
    }

    /// <summary>
    /// Settles a failed attempt (taken by <see cref="TryTakeAttemptAsync"/>): the address is locked out of the account once
    /// its attempts reach <paramref name="maxFailures"/>. True when it is locked out now.
    /// </summary>
    public async Task<bool> RecordFailureAsync(Guid id, string source, int maxFailures, TimeSpan lockout, CancellationToken ct)
    {
        var lockUntil = DbTime.Now(clock) + lockout;
        await using var conn = await db.OpenConnectionAsync(ct);
        // Assignments run left to right: decide the lock before the counter is reset.
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE staff_sign_in_guards
               SET locked_until = IF(attempts >= @maxFailures, @lockUntil, locked_until),
                   attempts     = IF(attempts >= @maxFailures, 0, attempts)
             WHERE staff_id = @id AND source = @source
            """, new { id, source, maxFailures, lockUntil }, cancellationToken: ct));
        return await conn.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT COUNT(*) FROM staff_sign_in_guards WHERE staff_id = @id AND source = @source AND locked_until >= @lockUntil",
            new { id, source, lockUntil }, cancellationToken: ct)) == 1;
    }

    /// <summary>
    /// Checks a password of <paramref name="user"/> as every guess is checked: it takes an attempt of the address first (one
    /// conditional UPDATE, so guesses arriving together cannot all be evaluated, whatever their number), and a failure is
    /// settled at once. A lock-out costs the same hash as a check. A right password's attempt is given back by the caller's
    /// change (a sign-in, a new password).
    /// </summary>
    public async Task<GuardedPassword> CheckPasswordAsync(StaffUser user, string password, string source, AuthOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(options);
        if (!await TryTakeAttemptAsync(user.Id, source, options.MaxFailedLogins, ct))
        {
            Verify(null, password);
            return GuardedPassword.LockedOut;
        }

        return Verify(user, password) switch
        {
            PasswordVerificationResult.Failed => await RecordFailureAsync(user.Id, source, options.MaxFailedLogins, TimeSpan.FromMinutes(options.LockoutMinutes), ct)
                ? GuardedPassword.WrongNowLockedOut
                : GuardedPassword.Wrong,
            PasswordVerificationResult.SuccessRehashNeeded => GuardedPassword.RightRehashNeeded,
            _ => GuardedPassword.Right,
        };
    }

    /// <summary>The right password from <paramref name="source"/>: its attempts are given back.</summary>
    public async Task ForgetAttemptsAsync(Guid id, string source, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(ForgetAttemptsSql, new { id, source }, cancellationToken: ct));
    }

    private const string ForgetAttemptsSql = "DELETE FROM staff_sign_in_guards WHERE staff_id = @id AND source = @source";

    /// <summary>A sign-in refused, with the reason the caller is not told.</summary>
    public async Task RecordRefusalAsync(Guid? id, string source, string reason, CancellationToken ct)
    {
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        change.Audit(new AuditEntry(SignIn, "staff.sign_in_refused", EntityType, id?.ToString() ?? "unknown-username", null, new { reason, source }));
        await change.CommitAsync(ct);
    }

    /// <summary>A sign-in that succeeded: the address's attempts are given back and the hash renewed when it is due.</summary>
    public async Task RecordSignInAsync(StaffUser user, string source, string? newHash, CancellationToken ct)
    {
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        await change.ExecuteAsync(ForgetAttemptsSql, new { id = user.Id, source }, ct);
        if (newHash is not null)
        {
            await change.ExecuteAsync("UPDATE staff_users SET password_hash = @newHash WHERE id = @id", new { id = user.Id, newHash }, ct);
        }

        change.Audit(new AuditEntry(new AuditActor(AuditActor.StaffKind, user.Id.ToString()), "staff.signed_in", EntityType, user.Id.ToString(), null, new { source }));
        await change.CommitAsync(ct);
    }

    // ---- The account's lifecycle: every change audited; disabling and a new password revoke every token issued before.

    /// <summary>A new password, set by its owner or reset by an admin; every token of the account is revoked.</summary>
    public async Task<StaffAccount?> SetPasswordAsync(Guid id, string password, AuditActor actor, string action, CancellationToken ct)
    {
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        if (await change.ExecuteAsync(
            "UPDATE staff_users SET password_hash = @hash, token_version = token_version + 1 WHERE id = @id",
            new { id, hash = HashPassword(password) }, ct) == 0)
        {
            return null;
        }

        // A reset also ends every lock-out: the owner may have locked themselves out before asking for it.
        var unlocked = await change.ExecuteAsync("DELETE FROM staff_sign_in_guards WHERE staff_id = @id", new { id }, ct);
        change.Audit(new AuditEntry(actor, action, EntityType, id.ToString(), null, new { tokensRevoked = true, lockOutsEnded = unlocked }));
        var account = await AccountInAsync(change, id, ct);
        await change.CommitAsync(ct);
        return account;
    }

    /// <summary>Disables or enables an account; disabling revokes its tokens. The last enabled admin cannot be disabled.</summary>
    public async Task<(StaffChangeRefusal Refusal, StaffAccount? Account)> SetDisabledAsync(Guid id, bool disabled, AuditActor actor, CancellationToken ct)
    {
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        // Every enabled admin is locked, so two admins disabling each other at once cannot leave none.
        var admins = (await change.QueryAsync<Guid>(
            "SELECT id FROM staff_users WHERE disabled = 0 AND FIND_IN_SET('admin', roles) > 0 ORDER BY id FOR UPDATE", null, ct)).ToList();
        var user = await change.QuerySingleOrDefaultAsync<StaffUser>(SelectUser + " WHERE id = @id FOR UPDATE", new { id }, ct);
        if (user is null)
        {
            return (StaffChangeRefusal.NotFound, null);
        }

        if (disabled && admins is [var onlyAdmin] && onlyAdmin == id)
        {
            return (StaffChangeRefusal.LastAdmin, null);
        }

        if (user.Disabled != disabled)
        {
            await change.ExecuteAsync(
                "UPDATE staff_users SET disabled = @disabled, token_version = token_version + IF(@disabled, 1, 0) WHERE id = @id", new { id, disabled }, ct);
            change.Audit(new AuditEntry(actor, disabled ? "staff.disabled" : "staff.enabled", EntityType, id.ToString(),
                new { disabled = user.Disabled }, new { disabled, tokensRevoked = disabled }));
        }

        var account = await AccountInAsync(change, id, ct);
        await change.CommitAsync(ct);
        return (StaffChangeRefusal.None, account);
    }

    /// <summary>Ends every lock-out of the account, from whatever address; null when there is no such account.</summary>
    public async Task<StaffAccount?> UnlockAsync(Guid id, AuditActor actor, CancellationToken ct)
    {
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        if (await change.ScalarAsync<int>("SELECT COUNT(*) FROM staff_users WHERE id = @id", new { id }, ct) == 0)
        {
            return null;
        }

        var ended = await change.ExecuteAsync("DELETE FROM staff_sign_in_guards WHERE staff_id = @id", new { id }, ct);
        change.Audit(new AuditEntry(actor, "staff.unlocked", EntityType, id.ToString(), null, new { lockOutsEnded = ended }));
        var account = await AccountInAsync(change, id, ct);
        await change.CommitAsync(ct);
        return account;
    }

    /// <summary>A staff token is good while its account is enabled and has not been given a new token version since.</summary>
    public async Task<bool> IsCurrentAsync(Guid subject, int version, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT COUNT(*) FROM staff_users WHERE id = @subject AND token_version = @version AND disabled = 0",
            new { subject, version }, cancellationToken: ct)) == 1;
    }

    private const string SelectUser = """
        SELECT id, username, display_name, password_hash, roles, disabled, token_version, created_at
          FROM staff_users
        """;

    private const string InsertUser = """
        INSERT INTO staff_users (id, username, display_name, password_hash, roles, disabled, token_version, created_at)
        VALUES (@Id, @Username, @DisplayName, @PasswordHash, @Roles, @Disabled, @TokenVersion, @CreatedAt)
        """;
}
