using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using Dapper;
using HeadlessLoan.Api.Platform.Audit;
using HeadlessLoan.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using MySqlConnector;

namespace HeadlessLoan.Api.Tests.Audit;

/// <summary>
/// The chain against tampering by a privileged account, the service's own account against changing the trail, and
/// the trail under concurrent writers and chainers. Each tampering test puts the tables back, so the trail verifies
/// again after it. Chaining is run explicitly: the background chainer pauses on the fake clock, which these tests
/// do not move.
/// </summary>
public sealed class AuditChainTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static readonly int[] NotAnObject = [1, 2];

    private AuditTrail Trail => api.Services.GetRequiredService<AuditTrail>();

    private AuditChainer Chainer => api.Services.GetRequiredService<AuditChainer>();

    private static AuditEntry Entry(string entityId, int n, string entityType = "test_entity") =>
        new(new AuditActor("staff", Guid.NewGuid().ToString()), "test.changed", entityType, entityId, new { n = n - 1 }, new { n });

    /// <summary>Appends as the service does: on its own account, one transaction per record. Returns the records' ids.</summary>
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
        return (await db.QueryAsync<long>("SELECT seq FROM audit_records WHERE entity_id = @entityId ORDER BY seq", new { entityId })).AsList();
    }

    /// <summary>Appends and chains; returns the chain sequences of the new records, in the order written.</summary>
    private async Task<List<long>> AppendChainedAsync(string entityId, int count)
    {
        var seqs = await AppendAsync(entityId, count);
        await ChainAllAsync();
        await using var db = await api.OpenDatabaseAsync();
        return (await db.QueryAsync<long>(
            "SELECT c.sequence FROM audit_chain c JOIN audit_records r ON r.seq = c.record_seq WHERE r.entity_id = @entityId ORDER BY r.seq", new { entityId })).AsList();
    }

    private Task<int> ChainAllAsync() => Chainer.ChainAsync(TimeSpan.FromSeconds(30), CancellationToken.None);

    private async Task<(bool Ok, long Checked, long? FirstBroken)> VerifyAsync()
    {
        using var admin = await api.CreateAdminClientAsync();
        var body = await (await admin.GetAsync("/v1/audit/verify")).ReadJsonAsync();
        return (body.GetProperty("ok").GetBoolean(), body.GetProperty("checked").GetInt64(),
            body.TryGetProperty("firstBrokenSequence", out var broken) ? broken.GetInt64() : null);
    }

    /// <summary>Does something to the trail as root, verifies, and restores the records and the chain from copies.</summary>
    private async Task<(bool Ok, long? FirstBroken)> TamperedAsync(string tampering)
    {
        await using var db = await api.OpenDatabaseAsync();
        await db.ExecuteAsync("CREATE TEMPORARY TABLE saved_records AS SELECT * FROM audit_records; CREATE TEMPORARY TABLE saved_chain AS SELECT * FROM audit_chain");
        await db.ExecuteAsync(tampering);
        var (ok, _, broken) = await VerifyAsync();
        await db.ExecuteAsync("""
            DELETE FROM audit_records; INSERT INTO audit_records SELECT * FROM saved_records; DROP TEMPORARY TABLE saved_records;
            DELETE FROM audit_chain; INSERT INTO audit_chain SELECT * FROM saved_chain; DROP TEMPORARY TABLE saved_chain;
            """);
        return (ok, broken);
    }

    [Fact]
    public async Task VerifyFindsExactlyTheEntryOfTheRecordAlteredBehindTheServicesBack()
    {
        var entityId = Guid.NewGuid().ToString();
        var chain = await AppendChainedAsync(entityId, 3);
        Assert.True((await VerifyAsync()).Ok);
        var seqs = await AppendAsync(entityId, 0);

        var altered = await TamperedAsync($"UPDATE audit_records SET after_json = '{{\"n\":42}}' WHERE seq = {seqs[1]}");
        var otherField = await TamperedAsync($"UPDATE audit_records SET actor_id = 'someone-else' WHERE seq = {seqs[2]}");
        var rehashed = await TamperedAsync($"UPDATE audit_chain SET hash = REPEAT('a', 64) WHERE sequence = {chain[0]}");

        Assert.Equal((false, chain[1]), altered);
        Assert.Equal((false, chain[2]), otherField);
        Assert.Equal((false, chain[0]), rehashed);
        Assert.True((await VerifyAsync()).Ok);
    }

    [Fact]
    public async Task ADeletedRecordOrChainEntryBreaksTheChainWhereItWas()
    {
        var entityId = Guid.NewGuid().ToString();
        var chain = await AppendChainedAsync(entityId, 3);
        var seqs = await AppendAsync(entityId, 0);

        var record = await TamperedAsync($"DELETE FROM audit_records WHERE seq = {seqs[1]}");
        var lastRecord = await TamperedAsync($"DELETE FROM audit_records WHERE seq = {seqs[2]}");
        var entry = await TamperedAsync($"DELETE FROM audit_chain WHERE sequence = {chain[1]}");
        var both = await TamperedAsync($"DELETE FROM audit_records WHERE seq = {seqs[0]}; DELETE FROM audit_chain WHERE sequence = {chain[0]}");

        Assert.Equal((false, chain[1]), record);
        Assert.Equal((false, chain[2]), lastRecord);
        Assert.Equal((false, chain[1]), entry);
        Assert.Equal((false, chain[0]), both);
        Assert.True((await VerifyAsync()).Ok);
    }

    [Fact]
    public async Task ReorderedChainEntriesBreakTheChainAtTheFirstOfThem()
    {
        var chain = await AppendChainedAsync(Guid.NewGuid().ToString(), 3);

        // The entries of the first two records swapped, each with its hash: every link still points at a real record.
        var swapped = await TamperedAsync($"""
            UPDATE audit_chain SET sequence = -1 WHERE sequence = {chain[0]};
            UPDATE audit_chain SET sequence = {chain[0]} WHERE sequence = {chain[1]};
            UPDATE audit_chain SET sequence = {chain[1]} WHERE sequence = -1;
            """);
        var records = await TamperedAsync($"""
            UPDATE audit_chain SET record_seq = -1 WHERE sequence = {chain[0]};
            UPDATE audit_chain c JOIN saved_chain s ON s.sequence = {chain[0]} SET c.record_seq = s.record_seq WHERE c.sequence = {chain[1]};
            UPDATE audit_chain c JOIN saved_chain s ON s.sequence = {chain[1]} SET c.record_seq = s.record_seq WHERE c.sequence = {chain[0]};
            """);

        Assert.Equal((false, chain[0]), swapped);
        Assert.Equal((false, chain[0]), records);
        Assert.True((await VerifyAsync()).Ok);
    }

    [Fact]
    public async Task TheServicesAccountCanAppendAndReadTheTrailButNeverChangeOrDeleteRecordsOrTheChain()
    {
        var chain = await AppendChainedAsync(Guid.NewGuid().ToString(), 1);
        await using var app = await api.OpenApplicationDatabaseAsync();
        var seq = await app.ExecuteScalarAsync<long>("SELECT record_seq FROM audit_chain WHERE sequence = @sequence", new { sequence = chain[0] });

        var refused = new[]
        {
            ("audit_records", "UPDATE audit_records SET action = 'x' WHERE seq = @seq"),
            ("audit_records", "DELETE FROM audit_records WHERE seq = @seq"),
            ("audit_chain", "UPDATE audit_chain SET hash = REPEAT('a', 64) WHERE record_seq = @seq"),
            ("audit_chain", "DELETE FROM audit_chain WHERE record_seq = @seq"),
        };
        foreach (var (table, sql) in refused)
        {
            var error = await Assert.ThrowsAsync<MySqlException>(() => app.ExecuteAsync(sql, new { seq }));
            Assert.Equal(MySqlErrorCode.TableAccessDenied, error.ErrorCode);
            Assert.Contains(table, error.Message, StringComparison.Ordinal);
        }

        Assert.Equal(1, await app.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM audit_records WHERE seq = @seq", new { seq }));
        Assert.Equal(1, await app.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM audit_chain WHERE record_seq = @seq", new { seq }));
        // The restriction is the trail's: ordinary tables stay writable, the migration history read-only.
        Assert.Equal(0, await app.ExecuteAsync("UPDATE products SET status = status WHERE id = 'none'"));
        var history = await Assert.ThrowsAsync<MySqlException>(() => app.ExecuteAsync("DELETE FROM schema_migrations WHERE version = 'none'"));
        Assert.Equal(MySqlErrorCode.TableAccessDenied, history.ErrorCode);
    }

    [Fact]
    public async Task AChangeThatRollsBackLeavesNoRecordAndNothingToChain()
    {
        var entityId = Guid.NewGuid().ToString();
        await ChainAllAsync();
        await using (var conn = await api.OpenApplicationDatabaseAsync())
        {
            await using var tx = await conn.BeginTransactionAsync();
            await Trail.AppendAsync(conn, tx, Entry(entityId, 1), CancellationToken.None);
            await tx.RollbackAsync();
        }

        await using var db = await api.OpenDatabaseAsync();
        Assert.Equal(0, await db.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM audit_records WHERE entity_id = @entityId", new { entityId }));
        Assert.Equal(0, await ChainAllAsync());

        var chain = await AppendChainedAsync(entityId, 1);
        Assert.Single(chain);
        Assert.True((await VerifyAsync()).Ok);
    }

    [Fact]
    public async Task ARecordCommittedLateIsChainedAfterTheRecordsThatCommittedBeforeIt()
    {
        var entityId = Guid.NewGuid().ToString();
        await using var late = await api.OpenApplicationDatabaseAsync();
        await using var tx = await late.BeginTransactionAsync();
        await Trail.AppendAsync(late, tx, Entry(entityId, 1), CancellationToken.None);
        var early = await AppendChainedAsync(entityId, 2);

        await tx.CommitAsync();
        await ChainAllAsync();

        await using var db = await api.OpenDatabaseAsync();
        var chained = (await db.QueryAsync<(long Seq, long Sequence)>(
            "SELECT r.seq, c.sequence FROM audit_records r JOIN audit_chain c ON c.record_seq = r.seq WHERE r.entity_id = @entityId ORDER BY r.seq", new { entityId })).AsList();
        Assert.Equal(3, chained.Count);
        Assert.Equal(early, chained.Skip(1).Select(c => c.Sequence));
        Assert.True(chained[0].Sequence > early[1], "the lowest id, committed last, is chained last");
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
    public async Task ARecordCommittedAfterItsGapWasGivenUpIsChainedWhenAChainerStarts()
    {
        var entityId = Guid.NewGuid().ToString();
        await using var late = await api.OpenApplicationDatabaseAsync();
        await using var tx = await late.BeginTransactionAsync();
        await Trail.AppendAsync(late, tx, Entry(entityId, 1), CancellationToken.None);
        await AppendChainedAsync(entityId, 1);
        api.Clock.Advance(AuditChainer.Settle + TimeSpan.FromMinutes(1));
        await ChainAllAsync();

        await tx.CommitAsync();
        using var starting = ActivatorUtilities.CreateInstance<AuditChainer>(api.Services);
        await starting.ChainAsync(TimeSpan.FromSeconds(30), CancellationToken.None);

        await using var db = await api.OpenDatabaseAsync();
        Assert.Equal(2, await db.ExecuteScalarAsync<int>(
            "SELECT COUNT(*) FROM audit_records r JOIN audit_chain c ON c.record_seq = r.seq WHERE r.entity_id = @entityId", new { entityId }));
        Assert.True((await VerifyAsync()).Ok);
    }

    [Fact]
    public async Task SixtyFourConcurrentWritersThenChainingLeaveAnUnbrokenChainWithEveryRecordOnce()
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
        await ChainAllAsync();

        await AssertEveryRecordChainedOnceAsync();
        await using var db = await api.OpenDatabaseAsync();
        Assert.Equal(160, await db.ExecuteScalarAsync<int>(
            "SELECT COUNT(*) FROM audit_records r JOIN audit_chain c ON c.record_seq = r.seq WHERE r.entity_id = @shared", new { shared }));
    }

    [Fact]
    public async Task ChainersRunningAtOnceWhileWritersWriteNeverForkTheChain()
    {
        // Chainers of separate instances (each with its own state), racing each other and the writers.
        var chainers = Enumerable.Range(0, 3).Select(_ => ActivatorUtilities.CreateInstance<AuditChainer>(api.Services)).ToList();
        using var writing = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 16).Select(w => Task.Run(async () =>
        {
            for (var i = 1; i <= 10; i++)
            {
                await using var conn = await api.OpenApplicationDatabaseAsync();
                await using var tx = await conn.BeginTransactionAsync();
                await Trail.AppendAsync(conn, tx, Entry("racing-" + w, i), CancellationToken.None);
                await tx.CommitAsync();
            }
        })).ToList();
        var chaining = chainers.Select(c => Task.Run(async () =>
        {
            var chained = 0;
            while (!writing.IsCancellationRequested)
            {
                chained += await c.ChainAsync(TimeSpan.FromSeconds(1), CancellationToken.None);
            }

            return chained + await c.ChainAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        })).ToList();

        await Task.WhenAll(writers);
        await writing.CancelAsync();
        var counts = await Task.WhenAll(chaining);
        chainers.ForEach(c => c.Dispose());

        Assert.True(counts.Sum() >= 160, $"chained {counts.Sum()} of at least 160");
        await AssertEveryRecordChainedOnceAsync();
    }

    /// <summary>Every record is in the chain exactly once, at sequences 1…n without a gap, and the chain verifies.</summary>
    private async Task AssertEveryRecordChainedOnceAsync()
    {
        await using var db = await api.OpenDatabaseAsync();
        var records = await db.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM audit_records");
        var (entries, distinctRecords, lowest, highest) = await db.QuerySingleAsync<(long, long, long, long)>(
            "SELECT COUNT(*), COUNT(DISTINCT record_seq), MIN(sequence), MAX(sequence) FROM audit_chain");
        Assert.Equal(records, entries);
        Assert.Equal(entries, distinctRecords);
        Assert.Equal((1L, entries), (lowest, highest));
        Assert.Equal(0, await db.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM audit_chain c WHERE NOT EXISTS (SELECT 1 FROM audit_records r WHERE r.seq = c.record_seq)"));
        var (ok, checkedCount, broken) = await VerifyAsync();
        Assert.True(ok, $"first broken sequence {broken}");
        Assert.Equal(entries, checkedCount);
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

