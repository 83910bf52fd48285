using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace HeadlessLoan.Api.Tests.Faults;

/// <summary>
/// A server of a test's own (Redis, MariaDB) as a plain process on a loopback port and a data folder of its own, which
/// the test stops as a service manager would (SIGTERM, waiting for the process to end) and starts again on the same port
/// and data. The shared test servers are never touched.
/// </summary>
public abstract class ServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);
    private readonly ConcurrentQueue<string> _output = new();
    private Process? _process;

    protected ServerProcess(string kind)
    {
        Folder = Path.Combine(Path.GetTempPath(), $"hl-{kind}-{Guid.NewGuid():N}"[..24]);
        Directory.CreateDirectory(Folder);
        Port = FreePort();
    }

    /// <summary>The loopback port, the same across restarts.</summary>
    public int Port { get; }

    protected string Folder { get; }

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Starts the server and waits until it answers.</summary>
    public async Task StartAsync()
    {
        if (_process is { HasExited: false })
        {
            throw new InvalidOperationException($"{GetType().Name} is already running.");
        }

        var start = StartInfo();
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, line) => Keep(line.Data);
        _process.ErrorDataReceived += (_, line) => Keep(line.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var waited = Stopwatch.StartNew();
        while (!await AnswersAsync())
        {
            if (_process.HasExited || waited.Elapsed > ReadyTimeout)
            {
                throw new InvalidOperationException($"{start.FileName} on port {Port} did not start:{Environment.NewLine}{string.Join(Environment.NewLine, _output)}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Stops the server the way a service manager does (SIGTERM) and waits until the process has ended.</summary>
    public async Task StopAsync()
    {
        if (_process is not { HasExited: false } process)
        {
            return;
        }

        using (var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })!)
        {
            await kill.WaitForExitAsync();
        }

        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
        _process = null;
    }

    protected abstract ProcessStartInfo StartInfo();

    /// <summary>Whether the server takes requests now.</summary>
    protected abstract Task<bool> AnswersAsync();

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        GC.SuppressFinalize(this);
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still being let go of: the temporary folder is the system's to clean.
        }
    }

    /// <summary>Runs a tool to its end (an installer), failing with its output.</summary>
    protected static async Task RunAsync(ProcessStartInfo start)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{start.FileName} failed ({process.ExitCode}):{Environment.NewLine}{await output}{await errors}");
        }
    }

    /// <summary>The first of <paramref name="names"/> found on the PATH (distributions name the MariaDB binaries either way).</summary>
    protected static string OnPath(params string[] names)
    {
        var folders = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Concat(["/usr/sbin", "/usr/local/sbin"]);
        return names.SelectMany(n => folders.Select(f => Path.Combine(f, n))).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException($"None of {string.Join(", ", names)} is installed (scripts/test.sh installs them).");
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > 200 && _output.TryDequeue(out _))
        {
        }
    }

    /// <summary>
    /// A free loopback port below the range the system hands out to outgoing connections, so that no client socket can
    /// take it while the server is stopped and keep it from starting again.
    /// </summary>
    private static int FreePort()
    {
        var lowestEphemeral = File.Exists("/proc/sys/net/ipv4/ip_local_port_range")
            ? int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[0], System.Globalization.CultureInfo.InvariantCulture)
            : 32768;
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = Random.Shared.Next(20000, Math.Max(20001, lowestEphemeral));
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // Taken: another one.
            }
        }

        throw new InvalidOperationException("No free loopback port was found.");
    }
}

/// <summary>A Redis of the test's own: nothing saved, so a restart starts empty, as a Redis that lost its memory.</summary>
public sealed class RedisProcess : ServerProcess
{
    public RedisProcess()
        : base("redis")
    {
    }

    /// <summary>The address as a StackExchange.Redis configuration string.</summary>
    public string Endpoint => $"127.0.0.1:{Port}";

    protected override ProcessStartInfo StartInfo() => new(OnPath("redis-server"),
        ["--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", Folder]);

    protected override async Task<bool> AnswersAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var reply = new byte[7];
            var read = await stream.ReadAsync(reply).AsTask().WaitAsync(TimeSpan.FromSeconds(2));
            return read >= 5 && System.Text.Encoding.ASCII.GetString(reply, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is SocketException or IOException or TimeoutException)
        {
            return false;
        }
    }
}

/// <summary>A MariaDB of the test's own, initialised in its folder on first start; root may sign in without a password.</summary>
public sealed class MariaDbProcess : ServerProcess
{
    private bool _installed;

    public MariaDbProcess()
        : base("mariadb")
    {
    }

    /// <summary>The privileged account, without a database: where <c>HL_TEST_DATABASE</c> would point.</summary>
    public string ConnectionString => $"Server=127.0.0.1;Port={Port};User ID=root;Password=;";

    /// <summary>Initialises the data folder the first time, then starts.</summary>
    public async Task InstallAndStartAsync()
    {
        if (!_installed)
        {
            await RunAsync(new ProcessStartInfo(OnPath("mariadb-install-db", "mysql_install_db"),
                [$"--user={Environment.UserName}", $"--datadir={DataFolder}", "--auth-root-authentication-method=normal", "--skip-test-db"]));
            _installed = true;
        }

        await StartAsync();
    }

    private string DataFolder => Path.Combine(Folder, "data");

    protected override ProcessStartInfo StartInfo() => new(OnPath("mariadbd", "mysqld"),
    [
        "--no-defaults", $"--user={Environment.UserName}", $"--datadir={DataFolder}", $"--socket={Path.Combine(Folder, "mariadb.sock")}",
        $"--port={Port}", "--bind-address=127.0.0.1", "--skip-log-bin", $"--pid-file={Path.Combine(Folder, "mariadb.pid")}",
        "--character-set-server=utf8mb4", "--collation-server=utf8mb4_unicode_ci", "--innodb-buffer-pool-size=64M", "--max-connections=300",
    ]);

    protected override async Task<bool> AnswersAsync()
    {
        try
        {
            await using var connection = new MySqlConnector.MySqlConnection(ConnectionString + "Pooling=false;Connection Timeout=2;");
            await connection.OpenAsync();
            return true;
        }
        catch (MySqlConnector.MySqlException)
        {
            return false;
        }
    }
}
