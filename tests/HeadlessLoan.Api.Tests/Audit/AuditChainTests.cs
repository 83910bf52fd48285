using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using Dapper;
using HeadlessLoan.Api.Audit;
using HeadlessLoan.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using MySqlConnector;

namespace HeadlessLoan.Api.Tests.Audit;

/// <summary>
/// The chain against tampering by a privileged account, the service's own account against changing the trail, and
/// the trail under concurrent writers. Each tampering test puts the row back, so the trail verifies again after it.
/// </summary>
public sealed class AuditChainTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static readonly int[] NotAnObject = [1, 2];

    private AuditTrail Trail => api.Services.GetRequiredService<AuditTrail>();

    private static AuditEntry Entry(string entityId, int n, string entityType = "test_entity") =>
        new(new AuditActor("staff", Guid.NewGuid().ToString()), "test.changed", entityType, entityId, new { n = n - 1 }, new { n });

    /// <summary>Appends as the service does: on its own account, one transaction per record. Returns the records' sequences.</summary>
    private async Task<List<long>> AppendAsync(string entityId, int count)
    {
        for (var i = 1; i <= count; i++)
        {
            await using var conn = await api.OpenApplicationDatabaseAsync();
            await using var tx = await conn.BeginTransactionAsync();
            await Trail.AppendAsync(conn, tx, Entry(entityId, i), CancellationToken.None);
            await tx.CommitAsync();
        }

        await using var db = await api.OpenDatabaseAsync();
        return (await db.QueryAsync<long>("SELECT seq FROM audit_records WHERE entity_id = @entityId ORDER BY entity_seq", new { entityId })).AsList();
    }

    private async Task<(bool Ok, long Checked, long? FirstBroken)> VerifyAsync()
    {
        using var admin = await api.CreateAdminClientAsync();
        var body = await (await admin.GetAsync("/v1/audit/verify")).ReadJsonAsync();
        return (body.GetProperty("ok").GetBoolean(), body.GetProperty("checked").GetInt64(),
            body.TryGetProperty("firstBrokenSequence", out var broken) ? broken.GetInt64() : null);
    }

    /// <summary>Does something to the trail as root, verifies, and restores the trail from a copy.</summary>
    private async Task<(bool Ok, long? FirstBroken)> TamperedAsync(string tampering)
    {
        await using var db = await api.OpenDatabaseAsync();
        await db.ExecuteAsync("CREATE TEMPORARY TABLE saved_records AS SELECT * FROM audit_records");
        await db.ExecuteAsync(tampering);
        var (ok, _, broken) = await VerifyAsync();
        await db.ExecuteAsync("DELETE FROM audit_records; INSERT INTO audit_records SELECT * FROM saved_records; DROP TEMPORARY TABLE saved_records");
        return (ok, broken);
    }

    [Fact]
    public async Task VerifyFindsExactlyTheRecordAlteredBehindTheServicesBack()
    {
        var seqs = await AppendAsync(Guid.NewGuid().ToString(), 3);
        Assert.True((await VerifyAsync()).Ok);

        var altered = await TamperedAsync($"UPDATE audit_records SET after_json = '{{\"n\":42}}' WHERE seq = {seqs[1]}");
        var otherField = await TamperedAsync($"UPDATE audit_records SET actor_id = 'someone-else' WHERE seq = {seqs[2]}");

        Assert.Equal((false, seqs[1]), altered);
        Assert.Equal((false, seqs[2]), otherField);
        Assert.True((await VerifyAsync()).Ok);
    }

    [Fact]
    public async Task ADeletedRecordBreaksTheChainAtTheNextOneAndADeletedLastRecordAtItself()
    {
        var seqs = await AppendAsync(Guid.NewGuid().ToString(), 3);

        var middle = await TamperedAsync($"DELETE FROM audit_records WHERE seq = {seqs[1]}");
        var last = await TamperedAsync($"DELETE FROM audit_records WHERE seq = {seqs[2]}");
        var whole = await TamperedAsync($"DELETE FROM audit_records WHERE seq IN ({string.Join(',', seqs)})");

        Assert.Equal((false, seqs[2]), middle);
        Assert.Equal((false, seqs[2]), last);
        Assert.Equal((false, seqs[2]), whole);
        Assert.True((await VerifyAsync()).Ok);
    }

    [Fact]
    public async Task ReorderedRecordsBreakTheChain()
    {
        var seqs = await AppendAsync(Guid.NewGuid().ToString(), 3);

        var swapped = await TamperedAsync($"""
            UPDATE audit_records SET entity_seq = -1 WHERE seq = {seqs[0]};
            UPDATE audit_records SET entity_seq = 1 WHERE seq = {seqs[1]};
            UPDATE audit_records SET entity_seq = 2 WHERE seq = {seqs[0]};
            """);

        Assert.Equal((false, seqs[0]), swapped);
    }

    [Fact]
    public async Task TheServicesAccountCanAppendAndReadTheTrailButNeverChangeOrDeleteIt()
    {
        var seqs = await AppendAsync(Guid.NewGuid().ToString(), 1);
        await using var app = await api.OpenApplicationDatabaseAsync();

        var update = await Assert.ThrowsAsync<MySqlException>(() => app.ExecuteAsync("UPDATE audit_records SET action = 'x' WHERE seq = @seq", new { seq = seqs[0] }));
        var delete = await Assert.ThrowsAsync<MySqlException>(() => app.ExecuteAsync("DELETE FROM audit_records WHERE seq = @seq", new { seq = seqs[0] }));

        Assert.Equal(MySqlErrorCode.TableAccessDenied, update.ErrorCode);
        Assert.Equal(MySqlErrorCode.TableAccessDenied, delete.ErrorCode);
        Assert.Contains("audit_records", update.Message, StringComparison.Ordinal);
        Assert.Equal(1, await app.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM audit_records WHERE seq = @seq", new { seq = seqs[0] }));
        // The restriction is the trail's: ordinary tables stay writable, the migration history read-only.
        Assert.Equal(0, await app.ExecuteAsync("UPDATE products SET status = status WHERE id = 'none'"));
        var history = await Assert.ThrowsAsync<MySqlException>(() => app.ExecuteAsync("DELETE FROM schema_migrations WHERE version = 'none'"));
        Assert.Equal(MySqlErrorCode.TableAccessDenied, history.ErrorCode);
    }

    [Fact]
    public async Task AChangeThatRollsBackLeavesNoRecordAndTheChainContinuesFromTheLastCommittedOne()
    {
        var entityId = Guid.NewGuid().ToString();
        await using (var conn = await api.OpenApplicationDatabaseAsync())
        {
            await using var tx = await conn.BeginTransactionAsync();
            await Trail.AppendAsync(conn, tx, Entry(entityId, 1), CancellationToken.None);
            await tx.RollbackAsync();
        }

        await using var db = await api.OpenDatabaseAsync();
        Assert.Equal(0, await db.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM audit_records WHERE entity_id = @entityId", new { entityId }));
        Assert.Equal(0, await db.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM audit_heads WHERE entity_id = @entityId", new { entityId }));

        await AppendAsync(entityId, 1);
        Assert.Equal(1, await db.ExecuteScalarAsync<int>("SELECT entity_seq FROM audit_records WHERE entity_id = @entityId", new { entityId }));
        Assert.True((await VerifyAsync()).Ok);
    }

    [Fact]
    public async Task ARefusedChangeThroughTheApiIsNotRecorded()
    {
        using var admin = await api.CreateAdminClientAsync();
        var username = "d" + Guid.NewGuid().ToString("N")[..10];
        var body = new { username, displayName = "Dup", password = "staff-password-0001", roles = new[] { "collector" } };
        await (await admin.PostAsJsonAsync("/v1/staff", body)).AssertStatusAsync(HttpStatusCode.Created);
        await (await admin.PostAsJsonAsync("/v1/staff", body)).AssertProblemAsync(HttpStatusCode.Conflict, "username_taken");

        await using var db = await api.OpenDatabaseAsync();
        Assert.Equal(1, await db.ExecuteScalarAsync<int>(
            "SELECT COUNT(*) FROM audit_records WHERE action = 'staff.created' AND after_json LIKE @like", new { like = $"%\"{username}\"%" }));
    }

    [Fact]
    public async Task SixtyFourConcurrentWritersLeaveUnbrokenChainsWithConsecutivePositions()
    {
        var shared = Guid.NewGuid().ToString();
        var own = Enumerable.Range(0, 32).Select(_ => Guid.NewGuid().ToString()).ToList();
        var writers = Enumerable.Range(0, 64).Select(w => Task.Run(async () =>
        {
            for (var i = 1; i <= 5; i++)
            {
                await using var conn = await api.OpenApplicationDatabaseAsync();
                await using var tx = await conn.BeginTransactionAsync();
                await Trail.AppendAsync(conn, tx, Entry(w % 2 == 0 ? shared : own[w / 2], i), CancellationToken.None);
                await tx.CommitAsync();
            }
        }));

        await Task.WhenAll(writers);

        await using var db = await api.OpenDatabaseAsync();
        var positions = (await db.QueryAsync<int>("SELECT entity_seq FROM audit_records WHERE entity_id = @shared ORDER BY seq", new { shared })).AsList();
        Assert.Equal(Enumerable.Range(1, 160), positions);
        var (ok, checkedCount, broken) = await VerifyAsync();
        Assert.True(ok, $"first broken sequence {broken}");
        Assert.True(checkedCount >= 320);
    }

    [Fact]
    public async Task PersonalDataAndSecretsAreMaskedWhereverTheyAppear()
    {
        var entityId = Guid.NewGuid().ToString();
        var after = new
        {
            idNumber = "11010519491231002X",
            holder = new { cardNumber = "6222021234567890123", phone = "13812345678", declaredName = "张三丰" },
            password = "not-for-the-trail",
            amount = 500_000L,
        };
        await using (var conn = await api.OpenApplicationDatabaseAsync())
        {
            await using var tx = await conn.BeginTransactionAsync();
            await Trail.AppendAsync(conn, tx, new AuditEntry(AuditActor.System, "test.masked", "test_entity", entityId, null, after), CancellationToken.None);
            await tx.CommitAsync();
        }

        await using var db = await api.OpenDatabaseAsync();
        var stored = await db.ExecuteScalarAsync<string>("SELECT after_json FROM audit_records WHERE entity_id = @entityId", new { entityId });

        Assert.Equal(
            """{"amount":500000,"holder":{"cardNumber":"622202*********0123","declaredName":"张**","phone":"138****5678"},"idNumber":"1101**********002X","password":"***"}""",
            stored);
    }

    [Fact]
    public async Task BeforeAndAfterMustBeObjectsAndActorsKnown()
    {
        await using var conn = await api.OpenApplicationDatabaseAsync();
        await using var tx = await conn.BeginTransactionAsync();

        await Assert.ThrowsAsync<ArgumentException>(() => Trail.AppendAsync(conn, tx,
            new AuditEntry(AuditActor.System, "test.changed", "test_entity", "x", null, NotAnObject), CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => Trail.AppendAsync(conn, tx,
            new AuditEntry(new AuditActor("robot", "r2"), "test.changed", "test_entity", "x", null, null), CancellationToken.None));
    }

    [Fact]
    public void AnActorComesFromAnAuthenticatedCallerOnly()
    {
        var staff = new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", "s-1"), new Claim("kind", "staff")], "test"));
        var anonymous = new ClaimsPrincipal(new ClaimsIdentity());

        Assert.Equal(new AuditActor("staff", "s-1"), AuditActor.From(staff));
        Assert.Throws<InvalidOperationException>(() => AuditActor.From(anonymous));
        Assert.Equal("system", AuditActor.System.Kind);
    }
}
