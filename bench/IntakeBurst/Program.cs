using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using MySqlConnector;

// A burst of applications through the whole borrower path against the real service, sandbox and database:
// WeChat login, create, three document uploads (OCR through the sandbox), consent, submit; then every
// application's submit → decision latency, and a check that each exists once and was decided once.
// Then (b): submit throughput against a bare endpoint of the same process doing one INSERT of the same row.
// Every answer is counted by step and status, and only the expected ones (each step's status, documents accepted,
// every application approved) are timed: any other answer, or a request that got none, makes the phase INVALID and
// the exit code 1, so a figure is never made of refusals.
var options = BenchOptions.Parse(args);
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.Concurrency * 2 })
{
    BaseAddress = new Uri(options.Api),
    Timeout = TimeSpan.FromSeconds(60),
};
var samples = new Dictionary<string, byte[]>
{
    ["id_front"] = File.ReadAllBytes(Path.Combine(options.Samples, "id-front-valid.png")),
    ["id_back"] = File.ReadAllBytes(Path.Combine(options.Samples, "id-back-valid.png")),
    ["bank_card"] = File.ReadAllBytes(Path.Combine(options.Samples, "card-valid.png")),
};
var run = DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture) + Guid.NewGuid().ToString("N")[..6];
var productId = await Setup.CreateProductAsync(http, options);
Console.WriteLine($"run {run}: {options.Count} applications, {options.Concurrency} concurrent clients, product {productId}");

if (options.Phase == "b")
{
    return await SubmitAgainstBareInsertAsync(http, options, samples, productId, run);
}

// (a) the burst
var timings = new StepTimings();
var answers = new Answers();
var wall = Stopwatch.StartNew();
var submitted = await Parallel.Burst(options.Count, options.Concurrency, async i =>
{
    // A borrower whose step got an unexpected answer goes no further; the answer is counted and the phase invalid.
    var flow = new BorrowerFlow(http, timings, answers, samples, productId, $"bench_{run}_{i}");
    try
    {
        await flow.SignInAsync();
        var id = await flow.CreateAsync();
        await flow.UploadDocumentsAsync(id);
        await flow.ConsentAsync(id);
        await flow.SubmitAsync(id);
        return (Guid?)id;
    }
    catch (UnexpectedAnswerException)
    {
        return null;
    }
});
var submitSeconds = wall.Elapsed.TotalSeconds;
var ids = submitted.OfType<Guid>().ToList();
var outcome = await Verify.WaitForDecisionsAsync(options, ids, TimeSpan.FromSeconds(60));
wall.Stop();

var invalid = new List<string>();
if (!answers.AllExpected)
{
    invalid.Add($"{answers.Unexpected} unexpected answers");
}

if (ids.Count != options.Count)
{
    invalid.Add($"{options.Count - ids.Count} of {options.Count} applications not submitted");
}

if (!outcome.AllApprovedOnce(ids.Count))
{
    invalid.Add("not every submitted application was approved exactly once");
}

var valid = invalid.Count == 0;
Console.WriteLine();
Console.WriteLine(valid
    ? $"(a) {options.Count} applications through the whole path in {submitSeconds:F1} s: {options.Count / submitSeconds:F0} applications/s ({options.Count * 7 / submitSeconds:F0} requests/s)"
    : $"(a) INVALID ({string.Join("; ", invalid)}); no figure");
answers.Print();
timings.Print();
outcome.Print();

PrintPeakMemory(options);
return valid ? 0 : 1;

// (b) submit against a bare INSERT in the same process (started with the decision worker off, so neither
// side competes with it for the CPU).
static async Task<int> SubmitAgainstBareInsertAsync(HttpClient http, BenchOptions options, Dictionary<string, byte[]> samples, Guid productId, string run)
{
var answers = new Answers();
var prepared = await Parallel.Burst(options.Count, options.Concurrency, async i =>
{
    var flow = new BorrowerFlow(http, new StepTimings(), answers, samples, productId, $"benchb_{run}_{i}");
    try
    {
        await flow.SignInAsync();
        var id = await flow.CreateAsync();
        await flow.UploadDocumentsAsync(id);
        await flow.ConsentAsync(id);
        return (flow, id);
    }
    catch (UnexpectedAnswerException)
    {
        return ((BorrowerFlow flow, Guid id)?)null;
    }
});
if (!answers.AllExpected)
{
    Console.WriteLine();
    Console.WriteLine($"(b) INVALID: preparing the drafts got unexpected answers; nothing measured");
    answers.Print();
    return 1;
}

var drafts = prepared.Select(d => d!.Value).ToList();
Console.WriteLine($"{drafts.Count} drafts ready; submitting");
// Alternate rounds of each side, the first round of each only warming up, so neither side is measured in the other's
// wake (InnoDB still flushing the drafts just written, for one) nor while the runtime still compiles it: tiered
// compilation recompiles a hot method only after it ran a few dozen times, and a batch of another size is another
// statement for the data mapper, so the warm-up is a fifth of the drafts, not a handful.
const int Rounds = 4;
var warm = drafts.Count / (Rounds + 1);
var perRound = (drafts.Count - warm) / Rounds;
var submitTime = TimeSpan.Zero; var bareTime = TimeSpan.Zero; var measured = 0;
var pipelineTime = TimeSpan.Zero;
var submitCpu = new CpuUse(); var bareCpu = new CpuUse(); var pipelineCpu = new CpuUse();
for (var round = 0; round <= Rounds; round++)
{
    var (offset, size) = round == 0 ? (0, warm) : (warm + (round - 1) * perRound, perRound);
    var counted = round > 0;
    var submitWall = Stopwatch.StartNew();
    using (submitCpu.Measure(options, counted))
    {
        await Parallel.Burst(size, options.Concurrency, i => Answers.Settle(drafts[offset + i].flow.SubmitAsync(drafts[offset + i].id)));
    }

    submitWall.Stop();
    var bareWall = Stopwatch.StartNew();
    using (bareCpu.Measure(options, counted))
    {
        await Parallel.Burst(size, options.Concurrency, i => Answers.Settle(BorrowerFlow.BareInsertAsync(http, answers)));
    }

    bareWall.Stop();
    var pipelineWall = Stopwatch.StartNew();
    using (pipelineCpu.Measure(options, counted))
    {
        await Parallel.Burst(size, options.Concurrency, i => Answers.Settle(drafts[offset + i].flow.InsertAsCallerAsync()));
    }

    pipelineWall.Stop();
    if (round > 0)
    {
        submitTime += submitWall.Elapsed; bareTime += bareWall.Elapsed; pipelineTime += pipelineWall.Elapsed; measured += size;
    }
}

var submitRate = measured / submitTime.TotalSeconds;
var bareRate = measured / bareTime.TotalSeconds;
var pipelineRate = measured / pipelineTime.TotalSeconds;
Console.WriteLine();
if (!answers.AllExpected)
{
    Console.WriteLine($"(b) INVALID: {answers.Unexpected} unexpected answers among the timed requests; no figure");
    answers.Print();
    return 1;
}

answers.Print();
Console.WriteLine($"(b) {measured} requests of each kind, in alternating rounds after {warm} of each to warm up:");
Console.WriteLine($"    submit                                       {submitRate,6:F0}/s   {submitCpu.PerRequest(measured)}");
Console.WriteLine($"    one INSERT as a borrower (token, limit, key) {pipelineRate,6:F0}/s   {pipelineCpu.PerRequest(measured)}");
Console.WriteLine($"    one INSERT, anonymous, nothing else          {bareRate,6:F0}/s   {bareCpu.PerRequest(measured)}");
Console.WriteLine($"    ratio submit / INSERT as a borrower: {submitRate / pipelineRate:F2} (goal >= 0.50); submit / anonymous INSERT: {submitRate / bareRate:F2}");
PrintPeakMemory(options);
return 0;
}

static void PrintPeakMemory(BenchOptions options)
{
    if (options.ApiPid is { } pid && File.Exists($"/proc/{pid}/status"))
    {
        var hwm = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmHWM", StringComparison.Ordinal));
        Console.WriteLine($"API peak RSS: {long.Parse(hwm.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024} MiB");
    }
}

/// <summary>CPU time the API and MariaDB processes spend while a block runs (from /proc; Linux clock ticks of 10 ms).</summary>
internal sealed class CpuUse
{
    public double ApiMs { get; private set; }

    public double DbMs { get; private set; }

    public double RedisMs { get; private set; }

    /// <summary>This load generator's own CPU: it shares the machine with the service.</summary>
    public double ClientMs { get; private set; }

    public IDisposable Measure(BenchOptions options, bool counted)
    {
        var api = Ticks(options.ApiPid);
        var db = Ticks(options.DbPid);
        var redis = Ticks(options.RedisPid);
        var client = Ticks(Environment.ProcessId);
        return new Scope(() =>
        {
            if (counted)
            {
                ApiMs += (Ticks(options.ApiPid) - api) * 10.0;
                DbMs += (Ticks(options.DbPid) - db) * 10.0;
                RedisMs += (Ticks(options.RedisPid) - redis) * 10.0;
                ClientMs += (Ticks(Environment.ProcessId) - client) * 10.0;
            }
        });
    }

    public string PerRequest(int requests) =>
        $"CPU per request: API {ApiMs / requests:F2} ms, MariaDB {DbMs / requests:F2}, Redis {RedisMs / requests:F2}, load generator {ClientMs / requests:F2}";

    private static long Ticks(int? pid)
    {
        if (pid is null || !File.Exists($"/proc/{pid}/stat"))
        {
            return 0;
        }

        // Fields after the command name (which is in parentheses): utime and stime are the 12th and 13th.
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }

    private sealed class Scope(Action end) : IDisposable
    {
        public void Dispose() => end();
    }
}

internal sealed record BenchOptions(string Api, string Database, string Samples, int Count, int Concurrency, int? ApiPid, int? DbPid, int? RedisPid, string AdminPassword, string Phase)
{
    public static BenchOptions Parse(string[] args)
    {
        string Arg(string name, string? fallback = null) =>
            args.SkipWhile(a => a != "--" + name).Skip(1).FirstOrDefault() ?? fallback ?? throw new ArgumentException($"--{name} is required");
        return new BenchOptions(
            Arg("api"), Arg("database"), Arg("samples"),
            int.Parse(Arg("count", "2000"), CultureInfo.InvariantCulture),
            int.Parse(Arg("concurrency", "64"), CultureInfo.InvariantCulture),
            args.Contains("--api-pid") ? int.Parse(Arg("api-pid"), CultureInfo.InvariantCulture) : null,
            args.Contains("--db-pid") ? int.Parse(Arg("db-pid"), CultureInfo.InvariantCulture) : null,
            args.Contains("--redis-pid") ? int.Parse(Arg("redis-pid"), CultureInfo.InvariantCulture) : null,
            Arg("admin-password"),
            Arg("phase", "a"));
    }
}

internal static class Parallel
{
    /// <summary>Runs <paramref name="count"/> jobs with at most <paramref name="concurrency"/> in flight; results by index.</summary>
    public static async Task<List<T>> Burst<T>(int count, int concurrency, Func<int, Task<T>> job)
    {
        var results = new T[count];
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                results[i] = await job(i);
            }
        }));
        return [.. results];
    }
}

internal static class Setup
{
    private static readonly string[] EqualInstallment = ["equal_installment"];

    public static async Task<Guid> CreateProductAsync(HttpClient http, BenchOptions options)
    {
        var login = await http.PostAsJsonAsync("/v1/auth/staff/token", new { username = "admin", password = options.AdminPassword });
        await Expect(login, HttpStatusCode.OK, "staff sign-in");
        var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/products")
        {
            Content = JsonContent.Create(new
            {
                name = "Burst " + Guid.NewGuid().ToString("N")[..8],
                repaymentMethods = EqualInstallment,
                annualRateMin = 0.06m, annualRateMax = 0.108m, amountMin = 100_000L, amountMax = 5_000_000L,
                termMinMonths = 3, termMaxMonths = 36, penaltyDailyRate = 0.0003m, ageMin = 18, ageMax = 65, autoApprovalLimit = 2_000_000L,
            }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var created = await http.SendAsync(request);
        await Expect(created, HttpStatusCode.Created, "product");
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private static async Task Expect(HttpResponseMessage response, HttpStatusCode status, string what)
    {
        if (response.StatusCode != status)
        {
            throw new InvalidOperationException($"{what}: expected {(int)status}, got {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }
}

/// <summary>One borrower going through the mini-program's steps, each timed and its answer counted.</summary>
internal sealed class BorrowerFlow(HttpClient http, StepTimings timings, Answers answers, IReadOnlyDictionary<string, byte[]> samples, Guid productId, string code)
{
    private string? _token;

    public async Task SignInAsync()
    {
        var body = await SendAsync("login", HttpStatusCode.OK, HttpMethod.Post, "/v1/auth/wechat/login", JsonContent.Create(new { code }));
        _token = body.GetProperty("accessToken").GetString();
    }

    public async Task<Guid> CreateAsync()
    {
        var body = await SendAsync("create", HttpStatusCode.Created, HttpMethod.Post, "/v1/applications", JsonContent.Create(new
        {
            productId,
            amount = 1_000_000L,
            termMonths = 12,
            method = "equal_installment",
            purpose = "家庭消费",
            declaredName = "张三",
            declaredRegionCode = "110101",
            declaredAddress = "北京市东城区沙箱路1号",
        }), fingerprint: code);
        return body.GetProperty("id").GetGuid();
    }

    /// <summary>Each document must come back 201 and <c>accepted</c>: a rejected document is not the path being measured.</summary>
    public async Task UploadDocumentsAsync(Guid id)
    {
        foreach (var (kind, bytes) in samples)
        {
            var form = new MultipartFormDataContent { { new StringContent(kind), "kind" } };
            var file = new ByteArrayContent(bytes);
            file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
            form.Add(file, "file", kind + ".png");
            await SendAsync("document", HttpStatusCode.Created, HttpMethod.Post, $"/v1/applications/{id}/documents", form, expectedBody: DocumentAccepted);
        }
    }

    public Task ConsentAsync(Guid id) =>
        SendAsync("consent", HttpStatusCode.Created, HttpMethod.Post, $"/v1/applications/{id}/consents", JsonContent.Create(new { purpose = "credit_bureau_query", textVersion = "2026-01" }));

    // Its answer is not read further: the load generator shares the CPU with the service, so it spends none on parsing.
    public Task SubmitAsync(Guid id) => SendAsync("submit", HttpStatusCode.Accepted, HttpMethod.Post, $"/v1/applications/{id}/submit", null, parse: false);

    /// <summary>The benchmark's baseline: one INSERT behind the same token, limit and Idempotency-Key as submit.</summary>
    public Task InsertAsCallerAsync() => SendAsync("borrower-insert", HttpStatusCode.NoContent, HttpMethod.Post, "/bench/borrower-insert", null, parse: false);

    /// <summary>The bare baseline: one INSERT, anonymous, nothing else.</summary>
    public static Task BareInsertAsync(HttpClient http, Answers answers) =>
        new BorrowerFlow(http, new StepTimings(), answers, new Dictionary<string, byte[]>(), Guid.Empty, "")
            .SendAsync("bare-insert", HttpStatusCode.NoContent, HttpMethod.Post, "/bench/bare-insert", null, parse: false, idempotent: false);

    private static string? DocumentAccepted(JsonElement body) =>
        body.TryGetProperty("status", out var status) && status.GetString() == "accepted"
            ? null
            : "document " + (body.TryGetProperty("status", out var s) ? s.GetString() : "without a status")
              + (body.TryGetProperty("errors", out var errors) ? " " + string.Join(",", errors.EnumerateArray().Select(e => e.GetProperty("code").GetString())) : "");

    private async Task<JsonElement> SendAsync(
        string step, HttpStatusCode expected, HttpMethod method, string path, HttpContent? content, string? fingerprint = null, bool parse = true,
        Func<JsonElement, string?>? expectedBody = null, bool idempotent = true)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (idempotent)
        {
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        }

        if (_token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        }

        if (fingerprint is not null)
        {
            request.Headers.Add("X-Device-Fingerprint", fingerprint);
        }

        var started = Stopwatch.GetTimestamp();
        HttpResponseMessage response;
        byte[] body;
        try
        {
            response = await http.SendAsync(request);
            body = await response.Content.ReadAsByteArrayAsync();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            throw answers.Other(step, "no answer: " + e.GetType().Name);
        }

        using (response)
        {
            var elapsed = Stopwatch.GetElapsedTime(started);
            var status = (int)response.StatusCode;
            if (response.StatusCode != expected)
            {
                throw answers.Other(step, $"{status} {Snippet(body)}");
            }

            var parsed = !parse || body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
            if (expectedBody?.Invoke(parsed) is { } refusal)
            {
                throw answers.Other(step, $"{status} {refusal}");
            }

            answers.Expected(step, expectedBody is null ? status.ToString(CultureInfo.InvariantCulture) : $"{status} accepted");
            timings.Add(step, elapsed);
            return parsed;
        }
    }

    // Enough of a refusal to tell its kind (a problem's code is near the start) without flooding the summary.
    private static string Snippet(byte[] body)
    {
        var text = Encoding.UTF8.GetString(body);
        var code = text.IndexOf("\"code\":\"", StringComparison.Ordinal);
        var end = code >= 0 ? text.IndexOf('"', code + 8) : -1;
        return end > 0 ? text[code..(end + 1)] : text[..Math.Min(text.Length, 60)];
    }
}

/// <summary>A step got an answer other than the one it expects; already counted in <see cref="Answers"/>.</summary>
internal sealed class UnexpectedAnswerException(string step, string answer) : Exception($"{step}: {answer}");

/// <summary>Every answer the harness got, by step and answer; expected and unexpected kept apart.</summary>
internal sealed class Answers
{
    private readonly ConcurrentDictionary<(string Step, bool Expected, string Answer), int> _counts = new();
    private int _unexpected;

    public bool AllExpected => Volatile.Read(ref _unexpected) == 0;

    public int Unexpected => Volatile.Read(ref _unexpected);

    public void Expected(string step, string answer) => _counts.AddOrUpdate((step, true, answer), 1, (_, n) => n + 1);

    public UnexpectedAnswerException Other(string step, string answer)
    {
        Interlocked.Increment(ref _unexpected);
        _counts.AddOrUpdate((step, false, answer), 1, (_, n) => n + 1);
        return new UnexpectedAnswerException(step, answer);
    }

    /// <summary>Runs a timed request whose unexpected answer is counted (and makes the phase invalid) without stopping the round.</summary>
    public static async Task<int> Settle(Task request)
    {
        try
        {
            await request;
        }
        catch (UnexpectedAnswerException)
        {
        }

        return 0;
    }

    public void Print()
    {
        Console.WriteLine("answers by step: " + string.Join("; ", _counts.OrderBy(c => c.Key.Step, StringComparer.Ordinal).ThenBy(c => !c.Key.Expected)
            .Select(c => $"{c.Key.Step} {(c.Key.Expected ? "" : "UNEXPECTED ")}{c.Key.Answer} ×{c.Value}")));
        if (!AllExpected)
        {
            Console.WriteLine($"INVALID: {Unexpected} answers were not the expected ones");
        }
    }
}

internal sealed class StepTimings
{
    private readonly Dictionary<string, List<double>> _ms = new(StringComparer.Ordinal);

    public void Add(string step, TimeSpan elapsed)
    {
        lock (_ms)
        {
            if (!_ms.TryGetValue(step, out var list))
            {
                _ms[step] = list = [];
            }

            list.Add(elapsed.TotalMilliseconds);
        }
    }

    public void Print()
    {
        Console.WriteLine($"{"step",-10} {"count",7} {"p50 ms",8} {"p95 ms",8} {"p99 ms",8} {"max ms",8}");
        foreach (var step in new[] { "login", "create", "document", "consent", "submit" })
        {
            if (_ms.TryGetValue(step, out var values))
            {
                Console.WriteLine($"{step,-10} {values.Count,7} {Percentile.Of(values, 50),8:F1} {Percentile.Of(values, 95),8:F1} {Percentile.Of(values, 99),8:F1} {values.Max(),8:F1}");
            }
        }
    }
}

internal static class Percentile
{
    public static double Of(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }
}

internal sealed record Outcome(int Found, int Decided, int DecidedOnce, IReadOnlyDictionary<string, int> ByStatus, List<double> LatencyMs)
{
    public bool AllDecidedOnce => Decided == Found && DecidedOnce == Found;

    /// <summary>Every submitted application exists, was decided once, and approved: the sandbox's happy path decides nothing else.</summary>
    public bool AllApprovedOnce(int submitted) => Found == submitted && AllDecidedOnce && ByStatus.GetValueOrDefault("approved") == Found;

    public void Print()
    {
        Console.WriteLine();
        Console.WriteLine($"applications found: {Found}, decided: {Decided}, with exactly one decision event: {DecidedOnce}");
        Console.WriteLine("by status: " + string.Join(", ", ByStatus.Select(s => $"{s.Key} {s.Value}")));
        if (LatencyMs.Count > 0)
        {
            Console.WriteLine($"submit → decision: p50 {Percentile.Of(LatencyMs, 50):F0} ms, p95 {Percentile.Of(LatencyMs, 95):F0} ms, p99 {Percentile.Of(LatencyMs, 99):F0} ms, max {LatencyMs.Max():F0} ms (goals: p95 < 2000, max < 10000)");
        }

        Console.WriteLine(AllDecidedOnce ? "every application exists once and was decided once" : "NOT every application was decided exactly once");
        if (ByStatus.GetValueOrDefault("approved") != Found)
        {
            Console.WriteLine($"NOT every application was approved ({Found - ByStatus.GetValueOrDefault("approved")} other decisions): the latency is not the happy path's");
        }
    }
}

internal static class Verify
{
    public static async Task<Outcome> WaitForDecisionsAsync(BenchOptions options, IReadOnlyList<Guid> ids, TimeSpan patience)
    {
        await using var db = new MySqlConnection(options.Database);
        await db.OpenAsync();
        var deadline = DateTime.UtcNow + patience;
        List<(Guid Id, string Status, DateTime? SubmittedAt, DateTime? DecidedAt)> rows;
        do
        {
            rows = (await db.QueryAsync<(Guid, string, DateTime?, DateTime?)>(
                "SELECT id, status, submitted_at, decided_at FROM applications WHERE id IN @ids", new { ids })).AsList();
            if (rows.All(r => r.DecidedAt is not null) || DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(250);
        }
        while (true);

        var events = (await db.QueryAsync<(Guid EntityId, long Count)>("""
            SELECT entity_id, COUNT(*) FROM outbox_events
             WHERE entity_id IN @ids AND event_type IN ('application.approved', 'application.rejected', 'application.pending_approval')
             GROUP BY entity_id
            """, new { ids })).ToDictionary(e => e.EntityId, e => e.Count);
        return new Outcome(
            rows.Count,
            rows.Count(r => r.DecidedAt is not null),
            rows.Count(r => events.GetValueOrDefault(r.Id) == 1),
            rows.GroupBy(r => r.Status).ToDictionary(g => g.Key, g => g.Count()),
            rows.Where(r => r.DecidedAt is not null && r.SubmittedAt is not null).Select(r => (r.DecidedAt!.Value - r.SubmittedAt!.Value).TotalMilliseconds).ToList());
    }
}
