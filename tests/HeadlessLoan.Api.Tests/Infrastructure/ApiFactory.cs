using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Dapper;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using MySqlConnector;

using HeadlessLoan.Api.Tests.WeChatPay;

namespace HeadlessLoan.Api.Tests.Infrastructure;

/// <summary>
/// The real service on a database of its own (created for the test class, dropped after) and the shared test
/// Redis under a key prefix of its own. As in production, the service runs as a restricted account of its own
/// (created here, dropped after) and migrations as the privileged test account. Every response read through
/// <see cref="CreateApiClient"/> is checked against the contract.
/// </summary>
public class ApiFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string AdminUsername = "admin";
    public const string AdminPassword = "test-admin-password-0001";

    // The test servers listen on loopback only.
    private const string ApplicationHost = "127.0.0.1";

    private readonly string _database = "hl_t_" + Guid.NewGuid().ToString("N")[..12];

    // Chosen once, so a second process of the same deployment (WithWebHostBuilder) reads what the first wrote.
    private readonly string _personalDataKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private readonly string _personalDataHashKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private readonly string _applicationPassword = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    /// <summary>The privileged account on this class's database: for looking behind the service's back.</summary>
    public string DatabaseConnectionString => new MySqlConnectionStringBuilder(ServerConnectionString) { Database = _database }.ConnectionString;

    /// <summary>The service's own restricted account (named like the database).</summary>
    public string ApplicationConnectionString => new MySqlConnectionStringBuilder(ServerConnectionString)
    {
        Database = _database,
        UserID = _database,
        Password = _applicationPassword,
    }.ConnectionString;

    public string RedisPrefix { get; } = "t" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>Where this class's document images are stored (deleted afterwards).</summary>
    public string BlobRoot { get; } = Path.Combine(Path.GetTempPath(), "hl-blobs-" + Guid.NewGuid().ToString("N")[..12]);

    public ApiFactory()
    {
        Sandbox = new SandboxHost(clock: Clock);
    }

    /// <summary>Time as the service sees it; tests move it forward.</summary>
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 3, 2, 1, 0, 0, TimeSpan.Zero));

    /// <summary>
    /// The sandbox playing WeChat (and every other outside party) for this test class; its bank and WeChat Pay keep the
    /// service's clock, so their signed timestamps agree and a slow payout ends when a test moves the clock on.
    /// </summary>
    public SandboxHost Sandbox { get; }

    /// <summary>The MariaDB server the class's database is made on: the shared test server, unless a class brings its own.</summary>
    protected virtual string ServerConnectionString => TestServers.Database;

    /// <summary>The Redis the service uses: the shared test server, unless a class brings its own.</summary>
    protected virtual string RedisEndpoint => TestServers.Redis;

    /// <summary>Extra settings a test class needs (smaller limits, for instance).</summary>
    protected virtual IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // The service's account exists before it starts (however the test starts it); the migrations grant it its privileges.
        using (var conn = new MySqlConnection(ServerConnectionString))
        {
            conn.Open();
            conn.Execute($"CREATE USER IF NOT EXISTS '{_database}'@'{ApplicationHost}' IDENTIFIED BY '{_applicationPassword}'");
        }

        builder.UseEnvironment("Testing");
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Database"] = ApplicationConnectionString,
            ["ConnectionStrings:Migrations"] = DatabaseConnectionString,
            ["Database:ApplicationHost"] = ApplicationHost,
            ["ConnectionStrings:Redis"] = RedisEndpoint,
            ["Database:CreateIfMissing"] = "true",
            ["Auth:SigningKey"] = "test-only-signing-key-0123456789-0123456789-0123456789",
            ["Bootstrap:AdminUsername"] = AdminUsername,
            ["Bootstrap:AdminPassword"] = AdminPassword,
            ["Redis:KeyPrefix"] = RedisPrefix,
            ["RateLimits:QuotePerIpPerMinute"] = "100000",
            ["RateLimits:StaffLoginPerIpPerMinute"] = "100000",
            ["RateLimits:WeChatLoginPerIpPerMinute"] = "100000",
            ["Contract:ExposeDescribed"] = "true",
            ["PersonalData:CurrentKeyId"] = "t1",
            ["PersonalData:Keys:t1"] = _personalDataKey,
            ["PersonalData:HashKey"] = _personalDataHashKey,
            ["WeChat:ApiBaseUrl"] = Sandbox.Url,
            ["WeChat:AppId"] = "wx_sandbox_tests",
            ["WeChat:AppSecret"] = "sandbox-test-secret",
            ["Blobs:Root"] = BlobRoot,
            ["Bureau:BaseUrl"] = Sandbox.Url,
            ["Bureau:ApiKey"] = "sandbox-test-bureau-key",
            ["Bank:BaseUrl"] = Sandbox.Url,
            ["Bank:MerchantId"] = Sandbox.BankMerchantId,
            ["Bank:ApiSecret"] = Sandbox.BankApiSecret,
            ["Bank:CallbackSecret"] = Sandbox.BankCallbackSecret,
            // The service is served in memory, at no address the sandbox could call back.
            ["Bank:NotifyUrl"] = "http://127.0.0.1:9/v1/webhooks/bank",
            // Retry pauses run on the service's clock, which the tests hold still.
            ["WeChat:RetryDelayMilliseconds"] = "0",
            ["Bank:RetryDelayMilliseconds"] = "0",
            ["WeChatPay:RetryDelayMilliseconds"] = "0",
            // Tests that need the reconciliation job run it themselves, so each knows when WeChat Pay was asked.
            ["Repayments:ReconcilerEnabled"] = "false",
            // The close of business moves loans when the clock passes a day: the tests that want it run it themselves.
            ["CloseOfBusiness:Enabled"] = "false",
            // Small batches in two slices, so a test's few loans still take several batches of each slice at once.
            ["CloseOfBusiness:BatchSize"] = "4",
            ["CloseOfBusiness:Workers"] = "2",
            // Likewise the reminder planner and sender.
            ["Reminders:Enabled"] = "false",
            ["Reminders:SmsSignName"] = "沙箱测试",
            ["Collections:Enabled"] = "false",
        };
        foreach (var (key, value) in Sandbox.AliyunSettings())
        {
            settings[key] = value;
        }

        foreach (var (key, value) in WeChatPayTestKeys.SettingsFor(Sandbox, "http://127.0.0.1:9/v1/webhooks/wechatpay"))
        {
            settings[key] = value;
        }

        foreach (var (key, value) in Settings)
        {
            settings[key] = value;
        }

        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureServices(services =>
        {
            services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Clock));
            services.AddSingleton<IStartupFilter, TestClientAddress>();
        });
    }

    /// <summary>A client whose every response is validated against the contract.</summary>
    public HttpClient CreateApiClient() => CreateDefaultClient(new ContractValidatingHandler());

    /// <summary>A contract-checked client that presents a channel API key.</summary>
    public HttpClient CreateChannelClient(string apiKey)
    {
        var client = CreateApiClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return client;
    }

    public async Task<HttpClient> CreateAdminClientAsync() => await CreateStaffClientAsync(AdminUsername, AdminPassword);

    /// <summary>Signs a new borrower in through WeChat (the sandbox) and returns a client with its token.</summary>
    public async Task<HttpClient> CreateBorrowerClientAsync(string? code = null)
    {
        var client = CreateApiClient();
        var response = await client.PostAsJsonAsync("/v1/auth/wechat/login", new { code = code ?? "code_" + Guid.NewGuid().ToString("N") });
        response.EnsureSuccessStatusCode();
        var token = await response.Content.ReadFromJsonAsync<TokenBody>();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token!.AccessToken);
        return client;
    }

    public async Task<HttpClient> CreateStaffClientAsync(string username, string password)
    {
        var client = CreateApiClient();
        var response = await client.PostAsJsonAsync("/v1/auth/staff/token", new { username, password });
        response.EnsureSuccessStatusCode();
        var token = await response.Content.ReadFromJsonAsync<TokenBody>();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token!.AccessToken);
        return client;
    }

    /// <summary>Creates a staff account with the given roles through the API and signs it in.</summary>
    public async Task<HttpClient> CreateStaffWithRolesAsync(params string[] roles)
    {
        using var admin = await CreateAdminClientAsync();
        var username = "u" + Guid.NewGuid().ToString("N")[..10];
        const string password = "staff-password-0001";
        var created = await admin.PostAsJsonAsync("/v1/staff", new { username, displayName = "Test " + username, password, roles });
        created.EnsureSuccessStatusCode();
        return await CreateStaffClientAsync(username, password);
    }

    public async Task<MySqlConnection> OpenDatabaseAsync()
    {
        var conn = new MySqlConnection(DatabaseConnectionString);
        await conn.OpenAsync();
        return conn;
    }

    /// <summary>The service's account as it connects, for tests that show what it may not do.</summary>
    public async Task<MySqlConnection> OpenApplicationDatabaseAsync()
    {
        var conn = new MySqlConnection(ApplicationConnectionString);
        await conn.OpenAsync();
        return conn;
    }

    public virtual Task InitializeAsync()
    {
        // Starting the server applies migrations and creates the first admin.
        _ = Server;
        return Task.CompletedTask;
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        Sandbox.Dispose();
        await DeleteBlobsAsync();

        await using (var conn = new MySqlConnection(ServerConnectionString))
        {
            await conn.OpenAsync();
            await conn.ExecuteAsync($"DROP DATABASE IF EXISTS `{_database}`");
            await conn.ExecuteAsync($"DROP USER IF EXISTS '{_database}'@'{ApplicationHost}'");
        }

        await StopServersAsync();
    }

    /// <summary>Stops the servers a class brought of its own, once the service is gone.</summary>
    protected virtual Task StopServersAsync() => Task.CompletedTask;

    /// <summary>Removes what this class's blob store holds.</summary>
    protected virtual Task DeleteBlobsAsync()
    {
        if (Directory.Exists(BlobRoot))
        {
            Directory.Delete(BlobRoot, recursive: true);
        }

        return Task.CompletedTask;
    }

    private sealed record TokenBody(string AccessToken);
}
