using MySqlConnector;

namespace HeadlessLoan.Api.Platform.Database;

/// <summary>
/// What a failure of the database means for the work that met it: the connection is gone (the server is down,
/// restarting or unreachable), the transaction lost a conflict (a deadlock, a lock wait that timed out) and the
/// same work may run again, or a statement outlasted the command timeout. Either way nothing of it was committed, and the answer is "come back", never a 500.
/// </summary>
public static partial class DatabaseFaults
{
    /// <summary>How often work that lost a conflict is tried in all.</summary>
    public const int MaxAttempts = 3;

    /// <summary>MariaDB's <c>ER_CONNECTION_KILLED</c>, and the client's "lost connection" and "server has gone away".</summary>
    private static readonly int[] LostConnectionNumbers = [1927, 2013, 2006];

    /// <summary>The connection broke or none could be made.</summary>
    public static bool IsConnectionLost(Exception e) =>
        Find(e) is { } m
        && (m.ErrorCode is MySqlErrorCode.UnableToConnectToHost or MySqlErrorCode.ServerShutdown or MySqlErrorCode.ConnectionCountError
            || LostConnectionNumbers.Contains(m.Number)
            || (m.Number == 0 && m.InnerException is IOException or System.Net.Sockets.SocketException));

    /// <summary>A deadlock or a lock wait timeout: the database refused the transaction (or its statement), which may simply run again.</summary>
    public static bool IsConflict(Exception e) => Find(e) is { ErrorCode: MySqlErrorCode.LockDeadlock or MySqlErrorCode.LockWaitTimeout };

    /// <summary>
    /// A statement ran past the command timeout (30 s unless the connection string says otherwise): a lock held longer
    /// than that, or a server too busy to answer. The client cancelled it, and its transaction is rolled back.
    /// </summary>
    public static bool IsTimedOut(Exception e) => Find(e) is { ErrorCode: MySqlErrorCode.CommandTimeoutExpired };

    /// <summary>The database cannot do it now: the connection is gone, the work lost a conflict or it took too long.</summary>
    public static bool IsUnavailable(Exception e) => IsConnectionLost(e) || IsConflict(e) || IsTimedOut(e);

    /// <summary>
    /// Runs <paramref name="work"/>, and again when it lost a conflict (a deadlock or a lock wait timeout), <see
    /// cref="MaxAttempts"/> attempts in all: for work each attempt of which starts afresh and whose effect is the same
    /// however often it is made (a batch of idempotency claims or answers).
    /// </summary>
    public static async Task<T> RetryConflictsAsync<T>(Func<Task<T>> work, ILogger logger, string what)
    {
        ArgumentNullException.ThrowIfNull(work);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await work();
            }
            catch (Exception e) when (IsConflict(e) && attempt < MaxAttempts)
            {
                LogConflict(logger, what, Find(e)!.Number, attempt);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{What} lost a conflict (MySQL error {Number}) and runs again (attempt {Attempt})")]
    private static partial void LogConflict(ILogger logger, string what, int number, int attempt);

    private static MySqlException? Find(Exception? e)
    {
        for (var depth = 0; e is not null && depth < 8; e = e.InnerException, depth++)
        {
            if (e is MySqlException m)
            {
                return m;
            }
        }

        return null;
    }
}
