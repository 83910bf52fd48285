using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dapper;
using HeadlessLoan.Domain.Ledger;
using MySqlConnector;

// WeChat Pay notifications against the real service: N loans each with one open order are seeded in the database;
// every order's TRANSACTION.SUCCESS notification is sealed with the APIv3 key and signed as WeChat Pay signs (half
// under the platform certificate, half under the public key), a share of them sent twice, all shuffled and posted at
// C at once, after the same number of posts to a bare one-INSERT endpoint of the same process (the baseline, measured
// first so that it does not share the cores with the settling of the notifications). Every answer must be
// 204; then the books must show each order paid once and the ledger must reconcile. Exit code 1 otherwise.
var options = BenchOptions.Parse(args);
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.Concurrency, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
{
    BaseAddress = new Uri(options.Api),
    Timeout = TimeSpan.FromSeconds(30),
};

var token = await Seed.AdminTokenAsync(http, options.AdminPassword);
var product = await Seed.ProductAsync(http, token);
var orders = await Seed.LoansWithOrdersAsync(options, product);
Console.WriteLine($"seeded {orders.Count} loans, each with an open order of {Seed.Installment} fen");

var notifications = Notifications.For(orders, options);
Console.WriteLine($"{notifications.Count} notifications ({notifications.Count - orders.Count} duplicates), concurrency {options.Concurrency}");

// The baseline first, on an idle service: the notifications then share the cores with the worker settling them.
var bare = await Run.Async("bare INSERT", notifications.Count, options.Concurrency, _ => http.PostAsync("/bench/bare-insert", null));
var notified = await Run.Async("notifications", notifications.Count, options.Concurrency, i => Notifications.PostAsync(http, notifications[i]));

var ratio = notified.PerSecond / bare.PerSecond;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"ratio notifications/bare: {ratio:F2} (goal >= 0.40); p99 {notified.P99Ms:F1} ms vs {bare.P99Ms:F1} ms"));

// The 204 means stored; the notification worker settles what is stored. Applied-once is proven once it has.
var drained = await Verify.DrainAsync(options, orders.Count, TimeSpan.FromMinutes(5));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"settled: all {orders.Count} orders within {drained.TotalSeconds:F1} s of the last answer ({orders.Count / (notified.Seconds + drained.TotalSeconds):F0} payments/s from the first notification to the last settled)"));
var books = await Verify.BooksAsync(http, token, options, orders.Count);
Console.WriteLine(books.Summary);
var valid = notified.Valid && bare.Valid && books.Ok;
Console.WriteLine(valid ? (ratio >= 0.4 ? "RESULT: VALID, goal met" : "RESULT: VALID, goal NOT met") : "RESULT: INVALID");
return valid && ratio >= 0.4 ? 0 : 1;

internal sealed record BenchOptions(string Api, string Database, int Loans, int Concurrency, double DuplicateShare, string AdminPassword, string ApiV3Key, string KeysDirectory)
{
    public const string MchId = "1900000109";
    public const string AppId = "wx_bench";
    public const string PlatformSerial = "5A1D2C3B4E5F60718293A4B5C6D7E8F901A2B3C4";
    public const string PublicKeyId = "PUB_KEY_ID_0119000001092026010100000001";

    public static BenchOptions Parse(string[] args)
    {
        string Arg(string name, string? fallback = null)
        {
            var i = Array.IndexOf(args, "--" + name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback ?? throw new ArgumentException($"--{name} is required");
        }

        return new BenchOptions(Arg("api"), Arg("database"), int.Parse(Arg("loans", "10000"), CultureInfo.InvariantCulture),
            int.Parse(Arg("concurrency", "64"), CultureInfo.InvariantCulture), double.Parse(Arg("duplicates", "0.2"), CultureInfo.InvariantCulture),
            Arg("admin-password"), Arg("apiv3-key"), Arg("keys"));
    }
}

internal sealed record SeededOrder(string OutTradeNo, string OpenId, Guid LoanId);

internal static class Seed
{
    public const long Installment = 106_000;
    private const int Periods = 12;
    private const long PrincipalPerPeriod = 100_000;
    private const long InterestPerPeriod = 6_000;
    private static readonly string[] EqualInstallment = ["equal_installment"];

    public static async Task<string> AdminTokenAsync(HttpClient http, string password)
    {
        var login = await http.PostAsJsonAsync("/v1/auth/staff/token", new { username = "admin", password });
        login.EnsureSuccessStatusCode();
        return (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
    }

    public static async Task<Guid> ProductAsync(HttpClient http, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/products")
        {
            Content = JsonContent.Create(new
            {
                name = "Notifications " + Guid.NewGuid().ToString("N")[..8], repaymentMethods = EqualInstallment,
                annualRateMin = 0.06m, annualRateMax = 0.108m, amountMin = 100_000L, amountMax = 5_000_000L, termMinMonths = 3, termMaxMonths = 36,
                penaltyDailyRate = 0.0003m, ageMin = 18, ageMax = 65, autoApprovalLimit = 2_000_000L,
            }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var created = await http.SendAsync(request);
        created.EnsureSuccessStatusCode();
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    /// <summary>Active loans disbursed today (China), each with its disbursement posted and one open order for its first installment.</summary>
    public static async Task<List<SeededOrder>> LoansWithOrdersAsync(BenchOptions options, Guid productId)
    {
        var now = DateTime.UtcNow;
        var today = DateOnly.FromDateTime(now.AddHours(8));
        var seeded = new List<SeededOrder>(options.Loans);
        await using var conn = new MySqlConnection(options.Database);
        await conn.OpenAsync();
        var version = await conn.ExecuteScalarAsync<int>("SELECT MAX(version) FROM product_versions WHERE product_id = @productId", new { productId });
        const int batch = 500;
        for (var start = 0; start < options.Loans; start += batch)
        {
            var rows = Enumerable.Range(start, Math.Min(batch, options.Loans - start)).Select(_ => new
            {
                Borrower = Guid.CreateVersion7(), Application = Guid.CreateVersion7(), Loan = Guid.CreateVersion7(), Order = Guid.CreateVersion7().ToString("N"),
                OpenId = "o_bench_" + Guid.NewGuid().ToString("N")[..20],
            }).ToList();
            await using var tx = await conn.BeginTransactionAsync();
            await conn.ExecuteAsync("INSERT INTO borrowers (id, wechat_openid, created_at, last_login_at) VALUES (@Borrower, @OpenId, @now, @now)",
                rows.Select(r => new { r.Borrower, r.OpenId, now }), tx);
            await conn.ExecuteAsync("""
                INSERT INTO applications (id, borrower_id, product_id, product_version, amount, term_months, method, purpose, declared_name_enc,
                                          declared_name_hash, declared_region_code, declared_address_enc, status, current_step, submitted_at, created_at, updated_at)
                VALUES (@Application, @Borrower, @productId, @version, @principal, 12, 'equal_installment', 'bench', @blob, @hash, '110101', @blob,
                        'approved', 'decided', @now, @now, @now)
                """, rows.Select(r => new { r.Application, r.Borrower, productId, version, principal = Periods * PrincipalPerPeriod, blob = new byte[48], hash = RandomNumberGenerator.GetBytes(32), now }), tx);
            await conn.ExecuteAsync("""
                INSERT INTO loans (id, contract_no, application_id, borrower_id, product_id, product_version, principal, term_months, method, annual_rate,
                                   monthly_fee_rate, penalty_daily_rate, penalty_cap, apr, ceiling, one_year_lpr, status, accepted_at, disbursed_on, created_at, updated_at,
                                   region_code)
                VALUES (@Loan, NULL, @Application, @Borrower, @productId, @version, @principal, 12, 'equal_installment', 0.06, 0, 0.0003, FLOOR(@principal * 0.24), 0.06, 0.24,
                        0.03, 'active', @now, @today, @now, @now, (SELECT a.declared_region_code FROM applications a WHERE a.id = @Application))
                """, rows.Select(r => new { r.Loan, r.Application, r.Borrower, productId, version, principal = Periods * PrincipalPerPeriod, now, today = today.ToDateTime(TimeOnly.MinValue) }), tx);
            await conn.ExecuteAsync("""
                INSERT INTO loan_periods (loan_id, period, due_date, principal_due, interest_due, fee_due) VALUES (@Loan, @period, @due, @principal, @interest, 0)
                """, rows.SelectMany(r => Enumerable.Range(1, Periods).Select(k => new
                {
                    r.Loan, period = k, due = today.AddMonths(k).ToDateTime(TimeOnly.MinValue), principal = PrincipalPerPeriod, interest = InterestPerPeriod,
                })), tx);
            var entries = rows.Select(r => Postings.Disbursement(EntryIds.For(EntryKinds.Disbursement, "bench:" + r.Loan), r.Loan, today, Periods * PrincipalPerPeriod)).ToList();
            await conn.ExecuteAsync("INSERT INTO journal_entries (id, kind, loan_id, value_date, total, content_hash, created_at) VALUES (@Id, @Kind, @LoanId, @date, @Total, @ContentHash, @now)",
                entries.Select(e => new { e.Id, e.Kind, e.LoanId, date = today.ToDateTime(TimeOnly.MinValue), e.Total, ContentHash = e.ContentHash.ToArray(), now }), tx);
            await conn.ExecuteAsync("INSERT INTO journal_lines (entry_id, line_no, account, loan_id, debit, credit) VALUES (@Id, @no, @account, @LoanId, @debit, @credit)",
                entries.SelectMany(e => e.Lines.Select((l, i) => new
                {
                    e.Id, no = i + 1, account = l.Account.ToWire(), e.LoanId,
                    debit = l.Side == EntrySide.Debit ? l.Amount : 0, credit = l.Side == EntrySide.Credit ? l.Amount : 0,
                })), tx);
            await conn.ExecuteAsync("INSERT INTO loan_balances (loan_id, account, balance) VALUES (@LoanId, @account, @balance)",
                entries.SelectMany(e => e.Lines.Select(l => new { e.LoanId, account = l.Account.ToWire(), balance = l.SignedForBalance })), tx);
            await conn.ExecuteAsync("""
                INSERT INTO payment_orders (out_trade_no, loan_id, borrower_id, kind, amount, payer_openid, status, prepay_id, expires_at, query_at, created_at, updated_at)
                VALUES (@Order, @Loan, @Borrower, 'next_due', @amount, @OpenId, 'created', 'wx_bench_prepay', @expires, NULL, @now, @now)
                """, rows.Select(r => new { r.Order, r.Loan, r.Borrower, amount = Installment, r.OpenId, expires = now.AddHours(2), now }), tx);
            await tx.CommitAsync();
            seeded.AddRange(rows.Select(r => new SeededOrder(r.Order, r.OpenId, r.Loan)));
        }

        return seeded;
    }
}

internal sealed record Notification(byte[] Body, string Timestamp, string Nonce, string Signature, string Serial);

internal static class Notifications
{
    /// <summary>One per order, and a copy of a share of them, shuffled so some copies arrive together; signed now (valid 5 minutes).</summary>
    public static List<Notification> For(IReadOnlyList<SeededOrder> orders, BenchOptions options)
    {
        using var platform = Key(Path.Combine(options.KeysDirectory, "platform-private-key.TEST-ONLY.pem"));
        using var publicKey = Key(Path.Combine(options.KeysDirectory, "wechatpay-public-key-private-half.TEST-ONLY.pem"));
        var key = Encoding.UTF8.GetBytes(options.ApiV3Key);
        var random = new Random(20261202);
        var list = new List<Notification>();
        for (var i = 0; i < orders.Count; i++)
        {
            var o = orders[i];
            var (serial, signer) = i % 2 == 0 ? (BenchOptions.PlatformSerial, platform) : (BenchOptions.PublicKeyId, publicKey);
            var notification = Sign(Seal(o, i, key), serial, signer);
            list.Add(notification);
            if (random.NextDouble() < options.DuplicateShare)
            {
                list.Add(notification);
            }
        }

        return [.. list.OrderBy(_ => random.Next())];
    }

    public static async Task<HttpResponseMessage> PostAsync(HttpClient http, Notification n)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/webhooks/wechatpay") { Content = new ByteArrayContent(n.Body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("Wechatpay-Timestamp", n.Timestamp);
        request.Headers.Add("Wechatpay-Nonce", n.Nonce);
        request.Headers.Add("Wechatpay-Signature", n.Signature);
        request.Headers.Add("Wechatpay-Serial", n.Serial);
        return await http.SendAsync(request);
    }

    private static byte[] Seal(SeededOrder o, int i, byte[] key)
    {
        var transaction = JsonSerializer.Serialize(new
        {
            appid = BenchOptions.AppId, mchid = BenchOptions.MchId, out_trade_no = o.OutTradeNo,
            transaction_id = "4200" + i.ToString("D24", CultureInfo.InvariantCulture), trade_type = "JSAPI", trade_state = "SUCCESS",
            trade_state_desc = "支付成功", bank_type = "OTHERS", attach = o.LoanId.ToString(),
            success_time = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
            payer = new { openid = o.OpenId }, amount = new { total = Seed.Installment, payer_total = Seed.Installment, currency = "CNY", payer_currency = "CNY" },
        });
        var nonce = RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz0123456789", 12);
        var plaintext = Encoding.UTF8.GetBytes(transaction);
        var sealedBytes = new byte[plaintext.Length + 16];
        using (var aes = new AesGcm(key, 16))
        {
            aes.Encrypt(Encoding.UTF8.GetBytes(nonce), plaintext, sealedBytes.AsSpan(0, plaintext.Length), sealedBytes.AsSpan(plaintext.Length), "transaction"u8);
        }

        return JsonSerializer.SerializeToUtf8Bytes(new
        {
            id = "EV-bench-" + i.ToString(CultureInfo.InvariantCulture), create_time = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
            resource_type = "encrypt-resource", event_type = "TRANSACTION.SUCCESS", summary = "支付成功",
            resource = new { original_type = "transaction", algorithm = "AEAD_AES_256_GCM", ciphertext = Convert.ToBase64String(sealedBytes), associated_data = "transaction", nonce },
        });
    }

    private static Notification Sign(byte[] body, string serial, RSA signer)
    {
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var nonce = RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 32);
        var message = Encoding.UTF8.GetBytes($"{timestamp}\n{nonce}\n").Concat(body).Concat("\n"u8.ToArray()).ToArray();
        return new Notification(body, timestamp, nonce, Convert.ToBase64String(signer.SignData(message, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)), serial);
    }

    private static RSA Key(string path)
    {
        var rsa = RSA.Create();
        rsa.ImportFromPem(File.ReadAllText(path));
        return rsa;
    }
}

internal sealed record RunResult(double PerSecond, double P99Ms, bool Valid, double Seconds);

internal static class Run
{
    /// <summary>Sends <paramref name="count"/> requests at most <paramref name="concurrency"/> at once; only 204s count, anything else makes the run INVALID.</summary>
    public static async Task<RunResult> Async(string name, int count, int concurrency, Func<int, Task<HttpResponseMessage>> send)
    {
        var latencies = new double[count];
        var statuses = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var started = Stopwatch.GetTimestamp();
                string status;
                try
                {
                    using var response = await send(i);
                    status = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
                }
                catch (HttpRequestException e)
                {
                    status = "error: " + e.Message;
                }
                catch (TaskCanceledException)
                {
                    status = "timeout";
                }

                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
            }
        }));
        var seconds = clock.Elapsed.TotalSeconds;
        var sorted = latencies.Order().ToArray();
        var p99 = sorted[Math.Clamp((int)Math.Ceiling(0.99 * count) - 1, 0, count - 1)];
        var valid = statuses.Count == 1 && statuses.ContainsKey("204");
        var result = new RunResult(count / seconds, p99, valid, seconds);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-14} {count} in {seconds:F2} s: {result.PerSecond:F0}/s, p50 {sorted[count / 2]:F1} ms, p99 {p99:F1} ms, max {sorted[^1]:F1} ms; " +
            $"statuses: {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key} x{s.Value}"))} | {(valid ? "VALID" : "INVALID")}"));
        return result;
    }
}

internal sealed record Books(bool Ok, string Summary);

internal static class Verify
{
    /// <summary>How long after now every stored notification is settled (the whole patience when they are not).</summary>
    public static async Task<TimeSpan> DrainAsync(BenchOptions options, int orders, TimeSpan patience)
    {
        var clock = Stopwatch.StartNew();
        await using var conn = new MySqlConnection(options.Database);
        await conn.OpenAsync();
        while (clock.Elapsed < patience && await conn.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM payment_notifications WHERE applied_at IS NOT NULL") < orders)
        {
            await Task.Delay(50);
        }

        return clock.Elapsed;
    }

    /// <summary>Every order paid once, one repayment entry per order, and the ledger's reconciliation holding.</summary>
    public static async Task<Books> BooksAsync(HttpClient http, string token, BenchOptions options, int orders)
    {
        await using var conn = new MySqlConnection(options.Database);
        await conn.OpenAsync();
        var paid = await conn.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM payment_orders WHERE status = 'paid'");
        var repayments = await conn.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM journal_entries WHERE kind = 'repayment'");
        var loansPaid = await conn.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM loan_periods WHERE period = 1 AND principal_paid = principal_due AND interest_paid = interest_due");
        var overpaid = await conn.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM loan_periods WHERE period > 1 AND (principal_paid > 0 OR interest_paid > 0)");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/ledger/reconciliation");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var reconciliation = await (await http.SendAsync(request)).Content.ReadFromJsonAsync<JsonElement>();
        var reconciled = reconciliation.TryGetProperty("ok", out var ok) && ok.GetBoolean();
        var good = paid == orders && repayments == orders && loansPaid == orders && overpaid == 0 && reconciled;
        return new Books(good, $"books: {paid}/{orders} orders paid, {repayments} repayment entries, {loansPaid} first periods settled, {overpaid} later periods touched, reconciliation {(reconciled ? "ok" : "FAILED: " + reconciliation)}");
    }
}
