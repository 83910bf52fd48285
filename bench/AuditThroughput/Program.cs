using System.Diagnostics;
using System.Globalization;
using Dapper;
using HeadlessLoan.Api.Platform.Audit;
using HeadlessLoan.Api.Platform.Database;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MySqlConnector;

// Measures what the audit trail costs the transactions it records. Each writer runs, in a loop, a state change the
// way the stores do (one transaction: change the entity's row, write its outbox event) and, in the audited phases,
// the audit record of that change through AuditTrail. Phases alternate (plain, audited, plain, audited, …) so both
// see the same machine; the result is the ratio of committed transactions per second. In the audited phases the
// trail's chainer runs as it does in a worker process, so the cost of chaining is counted too.
// Two workloads: "update" (each writer changes an existing entity again and again, so its chain grows) and "create"
// (each transaction creates a new entity, so each starts a chain).
// Every transaction is counted by outcome: only commits whose statement changed exactly its one row count towards a
// rate. A failed transaction, or one that changed another number of rows, is counted apart and makes the run INVALID
// (no ratio, exit code 1); so does a database that does not hold exactly what the counted commits wrote (their rows,
// one outbox event each, one audit record per audited commit, every record chained).
// Usage: AuditThroughput --app <connection string> --migrations <connection string> [--writers 64] [--seconds 5] [--rounds 3]
var options = Options.Parse(args);
var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
{
    ["ConnectionStrings:Database"] = options.App,
    ["ConnectionStrings:Migrations"] = options.Migrations,
    ["ConnectionStrings:Redis"] = "127.0.0.1:1", // never used here
    ["Database:ApplicationHost"] = "127.0.0.1",
}).Build();
var services = new ServiceCollection()
    .AddSingleton<IConfiguration>(config)
    .AddLogging(l => l.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning))
    .AddSingleton(TimeProvider.System)
    .AddSingleton<IHttpContextAccessor, HttpContextAccessor>()
    .AddStorage(config)
    .AddSingleton<AuditTrail>()
    .AddSingleton<AuditChainer>()
    .BuildServiceProvider();
await services.GetRequiredService<MigrationRunner>().ApplyAsync(CancellationToken.None);
var db = services.GetRequiredService<MySqlDataSource>();
var trail = services.GetRequiredService<AuditTrail>();
var chainer = services.GetRequiredService<AuditChainer>();

// One active product per writer, as the "update" workload's entities.
var products = Enumerable.Range(0, options.Writers).Select(_ => Guid.CreateVersion7()).ToList();
await using (var conn = await db.OpenConnectionAsync())
{
    foreach (var id in products)
    {
        await conn.ExecuteAsync(
            "INSERT INTO products (id, current_version, status, created_at, updated_at) VALUES (@id, 1, 'active', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))", new { id });
    }
}

var before = await DatabaseCounts.ReadAsync(db);
var outcomes = new Outcomes();
long updateCommits = 0, createCommits = 0, auditedCommits = 0;
Console.WriteLine($"{options.Writers} writers, {options.Rounds} rounds of {options.Seconds} s per phase");
var results = new List<(string Workload, double Plain, double Audited)>();
foreach (var workload in new[] { "update", "create" })
{
    long plainOps = 0, auditedOps = 0;
    double plainSeconds = 0, auditedSeconds = 0;
    for (var round = 0; round < options.Rounds; round++)
    {
        var (p, ps) = await RunAsync(workload, audited: false);
        var (a, s) = await RunAsync(workload, audited: true);
        plainOps += p; plainSeconds += ps; auditedOps += a; auditedSeconds += s;
    }

    if (workload == "update") { updateCommits = plainOps + auditedOps; } else { createCommits = plainOps + auditedOps; }
    auditedCommits += auditedOps;
    results.Add((workload, plainOps / plainSeconds, auditedOps / auditedSeconds));
}

// What the background chainer had not reached yet, then the whole chain checked against the records.
var late = await chainer.ChainAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
var verification = await new AuditStore(db).VerifyAsync(CancellationToken.None);
var after = await DatabaseCounts.ReadAsync(db);
Console.WriteLine($"trail verifies: {verification.Ok} ({verification.Checked} chain entries, {after.AuditRecords} records; {late} chained after the last phase)");

// The database holds exactly what the counted commits wrote, no more and no less.
var mismatches = new List<string>();
void Check(string what, long expected, long found)
{
    if (expected != found)
    {
        mismatches.Add($"{what}: {found} in the database, {expected} counted");
    }
}

Check("product versions added by updates", updateCommits, after.VersionSum - before.VersionSum - (after.Products - before.Products));
Check("products created", createCommits, after.Products - before.Products);
Check("outbox events", updateCommits + createCommits, after.OutboxEvents - before.OutboxEvents);
Check("audit records", auditedCommits, after.AuditRecords - before.AuditRecords);
Check("chained audit records", after.AuditRecords, verification.Checked);
outcomes.Print();
foreach (var mismatch in mismatches)
{
    Console.WriteLine("MISMATCH " + mismatch);
}

var valid = outcomes.AllExpected && mismatches.Count == 0 && verification.Ok;
foreach (var (workload, plainRate, auditedRate) in results)
{
    Console.WriteLine(valid
        ? string.Create(CultureInfo.InvariantCulture, $"{workload,-7} without audit {plainRate,8:F0} tx/s   with audit {auditedRate,8:F0} tx/s   ratio {auditedRate / plainRate:F2}")
        : $"{workload,-7} INVALID");
}

Console.WriteLine(valid
    ? string.Create(CultureInfo.InvariantCulture, $"ratio (lowest workload): {results.Min(r => r.Audited / r.Plain):F2}   goal >= 0.70")
    : "ratio: INVALID (unexpected outcomes, a mismatch with the database, or a trail that does not verify; see above)");
return valid ? 0 : 1;

async Task<(long Ops, double Seconds)> RunAsync(string workload, bool audited)
{
    long ops = 0;
    var phase = $"{workload}{(audited ? " audited" : " plain")}";
    if (audited)
    {
        await chainer.StartAsync(CancellationToken.None);
    }

    using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(options.Seconds));
    var clock = Stopwatch.StartNew();
    var writers = Enumerable.Range(0, options.Writers).Select(w => Task.Run(async () =>
    {
        while (!stop.IsCancellationRequested)
        {
            var id = workload == "update" ? products[w] : Guid.CreateVersion7();
            try
            {
                await using var change = await DbChange.BeginAsync(db, trail, CancellationToken.None);
                var changed = workload == "update"
                    ? await change.ExecuteAsync("UPDATE products SET current_version = current_version + 1, updated_at = UTC_TIMESTAMP(6) WHERE id = @id", new { id }, CancellationToken.None)
                    : await change.ExecuteAsync(
                        "INSERT INTO products (id, current_version, status, created_at, updated_at) VALUES (@id, 1, 'active', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))", new { id }, CancellationToken.None);
                if (changed != 1)
                {
                    outcomes.Unexpected(phase, $"{changed} rows changed"); // rolled back when the change is disposed
                    continue;
                }

                change.Outbox("product.bench", id, new { productId = id }, DateTime.UtcNow);
                if (audited)
                {
                    change.Audit(new AuditEntry(new AuditActor("system", "bench"), "product.bench", "product", id.ToString(),
                        new { status = "active" }, new { status = "active", name = "Bench product", amountMax = 5_000_000L }));
                }

                await change.CommitAsync(CancellationToken.None);
            }
            catch (MySqlException e)
            {
                outcomes.Unexpected(phase, $"MySQL error {e.ErrorCode}");
                continue;
            }

            outcomes.Committed(phase);
            Interlocked.Increment(ref ops);
        }
    })).ToList();
    await Task.WhenAll(writers);
    var elapsed = clock.Elapsed.TotalSeconds;
    if (audited)
    {
        await chainer.StopAsync(CancellationToken.None);
    }

    return (ops, elapsed);
}

/// <summary>Transactions by phase and outcome: commits that changed their one row, and everything else.</summary>
internal sealed class Outcomes
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Phase, string Outcome), long> _counts = new();
    private long _unexpected;

    public bool AllExpected => Interlocked.Read(ref _unexpected) == 0;

    public void Committed(string phase) => _counts.AddOrUpdate((phase, "committed"), 1, (_, n) => n + 1);

    public void Unexpected(string phase, string outcome)
    {
        Interlocked.Increment(ref _unexpected);
        _counts.AddOrUpdate((phase, "UNEXPECTED " + outcome), 1, (_, n) => n + 1);
    }

    public void Print() =>
        Console.WriteLine("transactions: " + string.Join("; ", _counts.OrderBy(c => c.Key.Phase, StringComparer.Ordinal).ThenBy(c => c.Key.Outcome, StringComparer.Ordinal)
            .Select(c => $"{c.Key.Phase} {c.Key.Outcome} {c.Value}")));
}

/// <summary>What the benchmark's transactions leave behind, read before and after the run.</summary>
internal sealed record DatabaseCounts(long Products, long VersionSum, long OutboxEvents, long AuditRecords)
{
    public static async Task<DatabaseCounts> ReadAsync(MySqlDataSource db)
    {
        await using var conn = await db.OpenConnectionAsync();
        return await conn.QuerySingleAsync<DatabaseCounts>("""
            SELECT (SELECT COUNT(*) FROM products) AS Products,
                   (SELECT CAST(COALESCE(SUM(current_version), 0) AS SIGNED) FROM products) AS VersionSum,
                   (SELECT COUNT(*) FROM outbox_events) AS OutboxEvents,
                   (SELECT COUNT(*) FROM audit_records) AS AuditRecords
            """);
    }
}

internal sealed record Options(string App, string Migrations, int Writers, int Seconds, int Rounds)
{
    public static Options Parse(string[] args)
    {
        string? Get(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        int Int(string name, int fallback) => Get(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        return new Options(
            Get("--app") ?? throw new ArgumentException("--app <connection string> is required"),
            Get("--migrations") ?? throw new ArgumentException("--migrations <connection string> is required"),
            Int("--writers", 64), Int("--seconds", 5), Int("--rounds", 3));
    }
}
