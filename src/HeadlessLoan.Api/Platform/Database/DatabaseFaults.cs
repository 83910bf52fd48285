using MySqlConnector;

namespace HeadlessLoan.Api.Platform.Database;

/// <summary>
/// What a failure of the database means for the work that met it: the connection is gone (the server is down,
/// restarting or unreachable), or the transaction lost a conflict (a deadlock, a lock wait that timed out) and the
/// same work may run again. Either way nothing of it was committed, and the answer is "come back", never a 500.
/// </summary>
public static class DatabaseFaults
{
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

    /// <summary>The database cannot do it now: the connection is gone or the work lost a conflict.</summary>
    public static bool IsUnavailable(Exception e) => IsConnectionLost(e) || IsConflict(e);

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
