using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MySqlConnector;

namespace HeadlessLoan.Client.Tests.Infrastructure;

/// <summary>
/// The real API as a separate process (Kestrel on a free loopback port) on a database of its own, created by the
/// service at start and dropped at the end, and the shared test Redis under a key prefix of its own. It can be killed
/// and started again on the same database, Redis prefix and keys, as after a crash.
/// </summary>
public class ApiServerFixture : IAsyncLifetime
{
    public const string AdminUsername = "admin";
    public const string AdminPassword = "sdk-test-admin-password-0001";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly ConcurrentQueue<string> _output = new();
    private readonly string _database = "hl_sdk_" + Guid.NewGuid().ToString("N")[..12];
    private readonly string _signingKey = "sdk-test-signing-key-" + Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N");
    private readonly string _personalDataKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
    private readonly string _hashKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
    private readonly string _redisPrefix = "sdk" + Guid.NewGuid().ToString("N")[..10];
    private Process? _process;
    private string? _databaseConnectionString;

    /// <summary>The service's own database.</summary>
    public string DatabaseConnectionString => _databaseConnectionString ?? throw new InvalidOperationException("Not started.");

    /// <summary>Settings beyond the defaults, for fixtures that need other ones.</summary>
    protected virtual IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>();

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>A client without credentials.</summary>
    public HeadlessLoanClient CreateAnonymousClient() => HeadlessLoanClientFactory.Create(BaseUrl);

    /// <summary>A client signed in as the bootstrap admin.</summary>
    public async Task<HeadlessLoanClient> CreateAdminClientAsync()
    {
        StaffTokenResponse token = await CreateAnonymousClient().IssueStaffTokenAsync(new StaffTokenRequest { Username = AdminUsername, Password = AdminPassword });
        return HeadlessLoanClientFactory.Create(new HeadlessLoanClientOptions { BaseUrl = BaseUrl, BearerToken = token.AccessToken });
    }

    public async Task InitializeAsync()
    {
        // Read first: a missing variable fails every test with its message instead of a start-up timeout.
        var database = TestServers.Database;
        var redis = TestServers.Redis;
        var apiDll = BuildPaths.ApiDll;
        if (!File.Exists(apiDll))
        {
            throw new InvalidOperationException($"The API was not built: {apiDll} does not exist. Build the solution (dotnet build HeadlessLoan.sln) first.");
        }

        _databaseConnectionString = new MySqlConnectionStringBuilder(database) { Database = _database }.ConnectionString;
        await StartAsync(apiDll, redis);
    }

    /// <summary>Kills the process at once (SIGKILL: nothing is finished or flushed) and waits until it is gone.</summary>
    public async Task KillAsync()
    {
        _process!.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        _process.Dispose();
        _process = null;
    }

    /// <summary>Starts the service again after <see cref="KillAsync"/>, on a new port (<see cref="BaseUrl"/>).</summary>
    public Task RestartAsync() => StartAsync(BuildPaths.ApiDll, TestServers.Redis);

    private async Task StartAsync(string apiDll, string redis)
    {
        // A port chosen by the OS can be taken by someone else before Kestrel binds it: try a few.
        for (var attempt = 1; ; attempt++)
        {
            var port = FreeLoopbackPort();
            BaseUrl = new Uri($"http://127.0.0.1:{port}/");
            _process = Start(apiDll, port, redis);
            try
            {
                await WaitUntilReadyAsync(_process);
                return;
            }
            catch (Exception) when (attempt < 3 && _process.HasExited && Output.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                _process.Dispose();
            }
        }
    }

    public virtual async Task DisposeAsync()
    {
        if (_process is not null)
        {
            try
            {
                if (!_process.HasExited)
                {
                    _process.Kill(entireProcessTree: true);
                    await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
                }
            }
            finally
            {
                _process.Dispose();
            }
        }

        if (_databaseConnectionString is not null)
        {
            var server = new MySqlConnectionStringBuilder(_databaseConnectionString) { Database = "" }.ConnectionString;
            await using var connection = new MySqlConnection(server);
            await connection.OpenAsync();
            await using var drop = new MySqlCommand($"DROP DATABASE IF EXISTS `{_database}`", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }

    private string Output => string.Join(Environment.NewLine, _output);

    private Process Start(string apiDll, int port, string redis)
    {
        var start = new ProcessStartInfo
        {
            FileName = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet",
            WorkingDirectory = Path.GetDirectoryName(apiDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(apiDll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");

        var environment = start.Environment;
        environment.Remove("ASPNETCORE_URLS");
        environment.Remove("ASPNETCORE_HTTP_PORTS");
        environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        environment["ConnectionStrings__Database"] = _databaseConnectionString;
        environment["ConnectionStrings__Redis"] = redis;
        environment["Database__CreateIfMissing"] = "true";
        environment["Auth__SigningKey"] = _signingKey;
        environment["Bootstrap__AdminUsername"] = AdminUsername;
        environment["Bootstrap__AdminPassword"] = AdminPassword;
        environment["PersonalData__CurrentKeyId"] = "t1";
        environment["PersonalData__Keys__t1"] = _personalDataKey;
        environment["PersonalData__HashKey"] = _hashKey;
        // The SDK tests do not reach WeChat; the address only has to be well-formed.
        environment["WeChat__ApiBaseUrl"] = "http://127.0.0.1:9";
        environment["WeChat__AppId"] = "wx_sandbox_sdk";
        environment["WeChat__AppSecret"] = "sdk-test-secret";
        environment["Bureau__BaseUrl"] = "http://127.0.0.1:9";
        environment["Bureau__ApiKey"] = "sdk-test-bureau-key";
        environment["Redis__KeyPrefix"] = _redisPrefix;
        environment["RateLimits__QuotePerIpPerMinute"] = "100000";
        environment["RateLimits__StaffLoginPerIpPerMinute"] = "100000";
        environment["RateLimits__WeChatLoginPerIpPerMinute"] = "100000";
        foreach (var (name, value) in Settings)
        {
            environment[name] = value;
        }

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, line) => Keep(line.Data);
        process.ErrorDataReceived += (_, line) => Keep(line.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start the API: {start.FileName} {apiDll}");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > 400 && _output.TryDequeue(out _))
        {
        }
    }

    private async Task WaitUntilReadyAsync(Process process)
    {
        var client = CreateAnonymousClient();
        var deadline = Stopwatch.StartNew();
        string last = "no answer yet";
        while (deadline.Elapsed < StartTimeout)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The API exited with code {process.ExitCode} before it was ready.{Environment.NewLine}{Output}");
            }

            try
            {
                var health = await client.GetReadinessAsync();
                if (health.Status == ServiceHealthStatus.Healthy)
                {
                    return;
                }

                last = $"status {health.Status}";
            }
            catch (HeadlessLoanException exception)
            {
                last = $"HTTP {exception.StatusCode}: {exception.Response}";
            }
            catch (HttpRequestException exception)
            {
                last = exception.Message;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"GET /health/ready was not 200 within {StartTimeout.TotalSeconds} s (last: {last}).{Environment.NewLine}{Output}");
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

/// <summary>All tests that talk to the server share one API process and run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class ApiServerCollection : ICollectionFixture<ApiServerFixture>
{
    public const string Name = "Real API server";
}
