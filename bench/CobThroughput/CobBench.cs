using System.Diagnostics;
using System.Globalization;
using Dapper;
using HeadlessLoan.Api.Features.CloseOfBusiness;
using HeadlessLoan.Api.Features.Ledger;
using HeadlessLoan.Api.Platform.Database;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MySqlConnector;

namespace HeadlessLoan.Bench;

/// <summary>
/// The close of business over a generated book of N loans (<see cref="Portfolio"/>) against a baseline measured in the
/// same run on the same rows: one set-based UPDATE that changes every loan row once. The close is the service's own
/// (<see cref="CobJob.CloseAllAsync"/>, built as the service builds it, as its restricted database account, on a clock
/// whose China date is the business date), closing exactly one COB date. Then every answer is checked against what the
/// book must come to (<see cref="Checks"/>); any mismatch makes the run INVALID (exit 1), and so does a run that misses
/// the goals (close ≤ 4 × the baseline, under 60 s).
/// Usage: CobThroughput --app &lt;connection string&gt; --root &lt;connection string&gt; [--loans 1000000] [--db-pid PID] [--profile] [--batch-size N] [--workers N]
/// </summary>
public static class CobBench
{
    private static readonly DateOnly CobDate = new(2026, 6, 15);
    private const double MaxRatio = 4;
    private const double MaxSeconds = 60;

    public static async Task<int> Main(string[] args)
    {
        var options = BenchOptions.Parse(args);
        var book = new Portfolio(options.Loans, CobDate);
        var clock = new BusinessClock(book.BusinessDate);
        await using var service = Service(options, clock);
        var ct = CancellationToken.None;
        await service.Services.GetRequiredService<MigrationRunner>().ApplyAsync(ct);
        await using var root = new MySqlConnection(options.Root);
        await root.OpenAsync(ct);

        var generation = Stopwatch.StartNew();
        Console.WriteLine($"generating {book.Loans:N0} loans (COB date {book.CobDate:yyyy-MM-dd}, closed through the day before)");
        await Generator.GenerateAsync(options.Root, book, ct);
        var generated = generation.Elapsed.TotalSeconds;
        var expected = book.Expect();
        var penalty = await Checks.PenaltyAsync(root, book);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            generated in {generated:F0} s (expectations {generation.Elapsed.TotalSeconds - generated:F0} s): {expected.Overdue:N0} loans overdue after the close ({100.0 * expected.Overdue / book.Loans:F1} %), {expected.WentOverdue:N0} of them falling overdue tonight;
              {expected.ClassMoves:N0} change class; {penalty.Loans:N0} are charged {penalty.Total / 100m:N2} CNY of penalty; {expected.Interest.Loans:N0} accrue {expected.Interest.Tonight / 100m:N2} CNY of interest
            """));
        await DataSizeAsync(root);

        // Both measured on a warm buffer pool (as a server that runs every night has it), the baseline first.
        await WarmAsync(root);
        var db = service.Services.GetRequiredService<MySqlDataSource>();
        var (baseline, baselineRows, baselineCpu) = await MeasureAsync(options, async () =>
        {
            await using var conn = await db.OpenConnectionAsync(ct);
            return await conn.ExecuteAsync(new CommandDefinition("UPDATE loans SET updated_at = @now", new { now = DbTime.Now(clock) }, commandTimeout: 0));
        });
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"baseline: UPDATE loans SET updated_at = … changed {baselineRows:N0} rows in {baseline:F2} s ({baselineCpu})"));

        if (options.Profile)
        {
            await root.ExecuteAsync("TRUNCATE TABLE performance_schema.events_statements_summary_by_digest");
        }

        var job = service.Services.GetRequiredService<CobJob>();
        var cobOptions = service.Services.GetRequiredService<IOptions<CloseOfBusinessOptions>>().Value;
        var batches = 0;
        var (cob, _, cobCpu) = await MeasureAsync(options, async () => batches = await job.CloseAllAsync(ct));
        await job.StopAsync(ct); // gives the lease up
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"COB {book.CobDate:yyyy-MM-dd}: {batches} batches of up to {cobOptions.BatchSize:N0} in {cobOptions.Workers} slices at once in {cob:F2} s ({cobCpu})"));
        if (options.Profile)
        {
            await ProfileAsync(root, cob);
        }

        Console.WriteLine("checks:");
        // Every slice's batches full but its last: as many batches (and pooled accrual entries) as its loans fill.
        var expectedBatches = await root.ExecuteScalarAsync<int>(
            "SELECT CAST(COALESCE(SUM(CEIL(loans_processed / @size)), 0) AS SIGNED) FROM cob_run_slices WHERE cob_date = @cob",
            new { size = cobOptions.BatchSize, cob = book.CobDate.ToDateTime(TimeOnly.MinValue) });
        var mismatches = await Checks.AfterCloseAsync(
            root, book, expected, penalty, expectedBatches, service.Services.GetRequiredService<LedgerReconciliation>(), ct);
        if (baselineRows != book.Loans || batches != expectedBatches)
        {
            mismatches.Add("rows or batches");
            Console.WriteLine($"  MISMATCH baseline rows {baselineRows} (expected {book.Loans}), batches {batches} (expected {expectedBatches})");
        }

        return Report(book, baseline, cob, mismatches);
    }

    private static int Report(Portfolio book, double baseline, double cob, List<string> mismatches)
    {
        if (mismatches.Count > 0)
        {
            Console.WriteLine($"loans/s: INVALID   ratio: INVALID ({mismatches.Count} mismatch(es): {string.Join("; ", mismatches)})");
            Console.WriteLine("RESULT: INVALID");
            return 1;
        }

        var ratio = cob / baseline;
        var met = ratio <= MaxRatio && cob < MaxSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""

            loans/s {book.Loans / cob:N0}   COB {cob:F2} s   baseline {baseline:F2} s   ratio COB/baseline {ratio:F2}
            goals: ratio <= {MaxRatio:F0}: {(ratio <= MaxRatio ? "PASS" : "FAIL")}   COB < {MaxSeconds:F0} s: {(cob < MaxSeconds ? "PASS" : "FAIL")}
            RESULT: VALID, {(met ? "goals met" : "goals NOT met")}
            """));
        return met ? 0 : 1;
    }

    /// <summary>The service as the API builds it, with the business date's clock and its own COB job off (the benchmark runs it).</summary>
    private static WebApplication Service(BenchOptions options, TimeProvider clock)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production", ContentRootPath = AppContext.BaseDirectory });
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Database"] = options.App,
            ["ConnectionStrings:Migrations"] = options.Root,
            ["ConnectionStrings:Redis"] = "127.0.0.1:1", // the close uses none
            ["Database:ApplicationHost"] = "127.0.0.1",
            ["CloseOfBusiness:Enabled"] = "false",
            ["Pipeline:Enabled"] = "false",
            ["Approvals:WorkersEnabled"] = "false",
            ["Auth:SigningKey"] = "bench-only-signing-key-0123456789-0123456789",
            ["PersonalData:CurrentKeyId"] = "b1",
            ["PersonalData:Keys:b1"] = Convert.ToBase64String(new byte[32]),
            ["PersonalData:HashKey"] = Convert.ToBase64String(new byte[32]),
            ["WeChat:ApiBaseUrl"] = "http://127.0.0.1:9", ["WeChat:AppId"] = "wx_bench", ["WeChat:AppSecret"] = "bench",
            ["Bureau:BaseUrl"] = "http://127.0.0.1:9", ["Bureau:ApiKey"] = "bench",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        if (options.BatchSize is { } size)
        {
            settings["CloseOfBusiness:BatchSize"] = size.ToString(CultureInfo.InvariantCulture);
        }

        if (options.Workers is { } workers)
        {
            settings["CloseOfBusiness:Workers"] = workers.ToString(CultureInfo.InvariantCulture);
        }

        builder.Configuration.AddInMemoryCollection(settings);
        Program.AddModules(builder);
        builder.Services.Replace(ServiceDescriptor.Singleton(clock));
        return builder.Build();
    }

    /// <summary>Wall time of <paramref name="work"/>, its result, and the CPU this process and the database spent on it.</summary>
    private static async Task<(double Seconds, int Result, string Cpu)> MeasureAsync(BenchOptions options, Func<Task<int>> work)
    {
        var (appBefore, dbBefore) = (Cpu.OfThisProcess(), Cpu.OfProcess(options.DbPid));
        var (gen0, gen2, paused) = (GC.CollectionCount(0), GC.CollectionCount(2), GC.GetTotalPauseDuration());
        var clock = Stopwatch.StartNew();
        var result = await work();
        var seconds = clock.Elapsed.TotalSeconds;
        var cpu = string.Create(CultureInfo.InvariantCulture,
            $"CPU: bench process {Cpu.OfThisProcess() - appBefore:F1} s, MariaDB {(options.DbPid is null ? "?" : (Cpu.OfProcess(options.DbPid) - dbBefore).ToString("F1", CultureInfo.InvariantCulture))} s; "
            + $"GC: {GC.CollectionCount(0) - gen0} collections, {GC.CollectionCount(2) - gen2} of gen 2, {(GC.GetTotalPauseDuration() - paused).TotalSeconds:F2} s paused");
        return (seconds, result, cpu);
    }

    /// <summary>Reads the clustered index of every table the close or the baseline touches into the buffer pool.</summary>
    private static async Task WarmAsync(MySqlConnection root)
    {
        foreach (var (table, column) in new[] { ("loans", "principal"), ("loan_periods", "principal_due"), ("applications", "amount"), ("credit_lines", "credit_limit"),
                     ("loan_balances", "balance"), ("journal_entries", "total") })
        {
            await root.ExecuteAsync(new CommandDefinition($"SELECT SUM({column}) FROM {table} FORCE INDEX (PRIMARY)", commandTimeout: 0));
        }
    }

    private static async Task DataSizeAsync(MySqlConnection root)
    {
        var sizes = (await root.QueryAsync<(string Table, long Bytes)>("""
            SELECT TABLE_NAME, CAST(DATA_LENGTH + INDEX_LENGTH AS SIGNED) FROM information_schema.TABLES
             WHERE TABLE_SCHEMA = DATABASE() ORDER BY DATA_LENGTH + INDEX_LENGTH DESC LIMIT 8
            """)).ToList();
        var pool = await root.ExecuteScalarAsync<long>("SELECT @@innodb_buffer_pool_size");
        Console.WriteLine($"data: {string.Join(", ", sizes.Select(s => $"{s.Table} {s.Bytes >> 20} MiB"))}; buffer pool {pool >> 20} MiB");
    }

    /// <summary>Where the close's time went in the database: its statements by total time (performance_schema).</summary>
    private static async Task ProfileAsync(MySqlConnection root, double cobSeconds)
    {
        var rows = (await root.QueryAsync<(string Statement, long Calls, double Seconds, long Examined, long Affected, long Sent)>("""
            SELECT LEFT(REGEXP_REPLACE(DIGEST_TEXT, '[[:space:]]+', ' '), 120), COUNT_STAR, SUM_TIMER_WAIT / 1e12, SUM_ROWS_EXAMINED, SUM_ROWS_AFFECTED, SUM_ROWS_SENT
              FROM performance_schema.events_statements_summary_by_digest WHERE SCHEMA_NAME = DATABASE() ORDER BY SUM_TIMER_WAIT DESC LIMIT 16
            """)).ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"profile (server time per statement; {rows.Sum(r => r.Seconds):F2} s of the COB's {cobSeconds:F2} s):"));
        foreach (var r in rows)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {r.Seconds,7:F2} s {r.Calls,7} calls {r.Examined,10} examined {r.Affected,9} changed {r.Sent,9} sent  {r.Statement}"));
        }
    }
}

/// <summary>A clock on the business date: real time moved to that date's early morning in China.</summary>
internal sealed class BusinessClock(DateOnly businessDate) : TimeProvider
{
    private readonly DateTimeOffset _start = new(businessDate.ToDateTime(new TimeOnly(1, 30)), TimeSpan.FromHours(8));
    private readonly long _started = Stopwatch.GetTimestamp();

    public override DateTimeOffset GetUtcNow() => _start.ToUniversalTime() + Stopwatch.GetElapsedTime(_started);
}

internal static class Cpu
{
    public static double OfThisProcess()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime.TotalSeconds;
    }

    /// <summary>User + system CPU seconds of a process from /proc (clock ticks of 1/100 s), 0 when unknown.</summary>
    public static double OfProcess(int? pid)
    {
        if (pid is not { } p || !File.Exists($"/proc/{p}/stat"))
        {
            return 0;
        }

        var stat = File.ReadAllText($"/proc/{p}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }
}

internal sealed record BenchOptions(string App, string Root, int Loans, int? DbPid, bool Profile, int? BatchSize, int? Workers)
{
    public static BenchOptions Parse(string[] args)
    {
        string? Get(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        int? Int(string name) => Get(name) is { Length: > 0 } v ? int.Parse(v, CultureInfo.InvariantCulture) : null;
        return new BenchOptions(
            Get("--app") ?? throw new ArgumentException("--app <connection string> is required"),
            Get("--root") ?? throw new ArgumentException("--root <connection string> is required"),
            Int("--loans") ?? 1_000_000, Int("--db-pid"), args.Contains("--profile"), Int("--batch-size"), Int("--workers"));
    }
}
