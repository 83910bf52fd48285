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

public sealed record StaffUser(Guid Id, string Username, string DisplayName, string PasswordHash, string Roles, int FailedLogins, DateTime? LockedUntil, bool Disabled, DateTime CreatedAt)
{
    public IReadOnlyList<string> RoleList => Roles.Split(',', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>SQL for staff accounts; passwords go through ASP.NET Core Identity's PBKDF2 hasher.</summary>
public sealed class StaffStore(MySqlDataSource db, AuditTrail audit, TimeProvider clock)
{
    /// <summary>Who creates the first admin: the service itself, from configuration.</summary>
    public static readonly AuditActor Bootstrap = new(AuditActor.SystemKind, "bootstrap");

    private const string EntityType = "staff";

    private static readonly PasswordHasher<StaffUser> Hasher = new();

    // Verified when the username is unknown, so a miss costs as long as a wrong password.
    private static readonly string DecoyHash = Hasher.HashPassword(null!, "decoy-password-for-timing");

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

    public async Task<IReadOnlyList<StaffUser>> ListAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<StaffUser>(new CommandDefinition(SelectUser + " ORDER BY created_at, id", cancellationToken: ct))).AsList();
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
        var user = NewUser(username, "Administrator", password, [Roles.Admin]);
        await using var change = await DbChange.BeginAsync(db, audit, ct);
        try
        {
            if (await change.ExecuteAsync("""
                INSERT INTO staff_users (id, username, display_name, password_hash, roles, failed_logins, locked_until, disabled, created_at)
                SELECT @Id, @Username, @DisplayName, @PasswordHash, @Roles, 0, NULL, 0, @CreatedAt FROM DUAL
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
        new(Guid.CreateVersion7(), username, displayName, HashPassword(password), string.Join(',', roles.Distinct(StringComparer.Ordinal)), 0, null, false, DbTime.Now(clock));

    /// <summary>
    /// Takes one sign-in attempt of the account: false when it is locked, or when as many attempts as
    /// <paramref name="maxFailures"/> are already taken and not yet settled by a success or a lock.
    /// </summary>
    public async Task<bool> TryTakeAttemptAsync(Guid id, int maxFailures, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE staff_users SET failed_logins = failed_logins + 1
             WHERE id = @id AND (locked_until IS NULL OR locked_until <= @now) AND failed_logins < @maxFailures
            """, new { id, maxFailures, now = DbTime.Now(clock) }, cancellationToken: ct)) == 1;
    }

    public async Task<DateTime?> LockedUntilAsync(Guid id, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var until = await conn.ExecuteScalarAsync<DateTime?>(new CommandDefinition("SELECT locked_until FROM staff_users WHERE id = @id", new { id }, cancellationToken: ct));
        return until is { } u && u > DbTime.Now(clock) ? u : null;
    }

    /// <summary>
    /// Settles a failed attempt (taken by <see cref="TryTakeAttemptAsync"/>): the account is locked once its attempts
    /// reach <paramref name="maxFailures"/>. Returns the lock end when the account is locked.
    /// </summary>
    public async Task<DateTime?> RecordFailureAsync(Guid id, int maxFailures, TimeSpan lockout, CancellationToken ct)
    {
        var now = DbTime.Now(clock);
        var lockUntil = now + lockout;
        await using var conn = await db.OpenConnectionAsync(ct);
        // Assignments run left to right: decide the lock before the counter is reset.
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE staff_users
               SET locked_until  = IF(failed_logins >= @maxFailures, @lockUntil, locked_until),
                   failed_logins = IF(failed_logins >= @maxFailures, 0, failed_logins)
             WHERE id = @id
            """, new { id, maxFailures, lockUntil }, cancellationToken: ct));
        return await LockedUntilAsync(id, ct);
    }

    public async Task RecordSuccessAsync(Guid id, string? newHash, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE staff_users SET failed_logins = 0, locked_until = NULL, password_hash = COALESCE(@newHash, password_hash) WHERE id = @id
            """, new { id, newHash }, cancellationToken: ct));
    }

    private const string SelectUser = """
        SELECT id, username, display_name, password_hash, roles,
               failed_logins, locked_until, disabled, created_at
          FROM staff_users
        """;

    private const string InsertUser = """
        INSERT INTO staff_users (id, username, display_name, password_hash, roles, failed_logins, locked_until, disabled, created_at)
        VALUES (@Id, @Username, @DisplayName, @PasswordHash, @Roles, @FailedLogins, @LockedUntil, @Disabled, @CreatedAt)
        """;
}
