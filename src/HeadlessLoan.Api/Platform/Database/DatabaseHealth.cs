using Microsoft.Extensions.Options;
using MySqlConnector;

namespace HeadlessLoan.Api.Platform.Database;

/// <summary>
/// Keeps the pool from handing out connections that a database restart broke. Pooled connections are handed out as they
/// are, with no round trip of their own; but after a connection broke — the server shut down, or a request or job met a
/// broken connection — every pooled connection is pinged before it is handed out, and a broken one is dropped and the
/// next taken, for as long as the pool may still keep connections from before (its idle timeout).
/// </summary>
/// <remarks>
/// Shutdowns are seen on a connection of the watcher's own, which waits on the server a second at a time (<c>DO
/// SLEEP(1)</c>): a shutdown ends that wait the moment it begins, so the pool is being checked before the server takes
/// connections again, however quick the restart. Time here is the machine's, not the injected clock: it paces the
/// watcher, not the business.
/// </remarks>
public sealed partial class DatabaseHealth : BackgroundService
{
    private static readonly TimeSpan RetryWhileDown = TimeSpan.FromMilliseconds(250);

    private readonly string _watchConnection;
    private readonly long _checkForMilliseconds;
    private readonly ILogger<DatabaseHealth> _logger;
    private long _checkUntil;
    private bool _down;

    public DatabaseHealth(IOptions<StorageOptions> storage, ILogger<DatabaseHealth> logger)
    {
        ArgumentNullException.ThrowIfNull(storage);
        var pooled = new MySqlConnectionStringBuilder(StorageSetup.PooledConnectionString(storage.Value.Database));
        // Connections idle longer than this are closed by the pool: after it, none from before a failure is left unchecked.
        _checkForMilliseconds = (pooled.ConnectionIdleTimeout + 10) * 1000L;
        _watchConnection = new MySqlConnectionStringBuilder(pooled.ConnectionString) { Pooling = false, DefaultCommandTimeout = 5 }.ConnectionString;
        _logger = logger;
    }

    /// <summary>A connection broke under a request or a job: pooled connections are checked before use for a while.</summary>
    public void Report(Exception failure)
    {
        if (Interlocked.Exchange(ref _checkUntil, Environment.TickCount64 + _checkForMilliseconds) < Environment.TickCount64)
        {
            LogCheckingPool(_logger, failure.Message);
        }
    }

    /// <summary>
    /// The pool's open callback: while connections may be broken, a pooled one is pinged, and one that does not answer is
    /// given back (the pool drops a broken connection) and the connection opened again — on the next pooled connection,
    /// checked the same way, or on a new one.
    /// </summary>
    public async ValueTask CheckAsync(MySqlConnectionOpenedContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Conditions != MySqlConnectionOpenedConditions.None || Environment.TickCount64 >= Interlocked.Read(ref _checkUntil))
        {
            return;
        }

        var connection = context.Connection;
        if (!await connection.PingAsync(ct))
        {
            await connection.CloseAsync();
            await connection.OpenAsync(ct);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new MySqlConnection(_watchConnection);
                await connection.OpenAsync(stoppingToken);
                Up();
                while (true)
                {
                    await using var wait = new MySqlCommand("DO SLEEP(1)", connection);
                    await wait.ExecuteNonQueryAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Whatever ended the wait, the watcher goes on: it must never stop the host.
                Down(e);
            }

            try
            {
                await Task.Delay(RetryWhileDown, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Up()
    {
        if (_down)
        {
            _down = false;
            LogUp(_logger);
        }
    }

    private void Down(Exception e)
    {
        Interlocked.Exchange(ref _checkUntil, Environment.TickCount64 + _checkForMilliseconds);
        if (!_down)
        {
            _down = true;
            LogDown(_logger, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The database does not answer ({Message}); pooled connections are checked before use until well after it is back")]
    private static partial void LogDown(ILogger logger, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "The database answers again")]
    private static partial void LogUp(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A database connection broke ({Message}); pooled connections are checked before use for a while")]
    private static partial void LogCheckingPool(ILogger logger, string message);
}
