using System.Collections.Concurrent;
using System.Diagnostics;

namespace HeadlessLoan.Api.Tests.Infrastructure;

/// <summary>
/// The SQL the service sent while answering one request, counted from MySqlConnector's own activity source (one
/// <c>Execute</c> activity per command, that is per round trip, its text in <c>db.statement</c>). The request is told
/// apart from every other one in the process — test classes run in parallel, workers poll — by a W3C trace id of its
/// own in <c>traceparent</c>: ASP.NET Core makes it the request's trace, and the commands inside inherit it. Nothing
/// is recorded for requests nobody watches.
/// </summary>
public sealed class SqlCommands
{
    private static readonly ConcurrentDictionary<ActivityTraceId, SqlCommands> Watched = new();

    private static readonly ActivityListener Listener = Listen();

    private readonly ConcurrentQueue<string> _commands = new();

    private SqlCommands()
    {
    }

    /// <summary>Each command's text, in the order they ended.</summary>
    public IReadOnlyList<string> Commands => [.. _commands];

    /// <summary>
    /// The statements those commands carried: a command of several statements (a multi-statement round trip) counts
    /// each. Statements are told apart by their semicolons, which the service's SQL uses for nothing else.
    /// </summary>
    public int Statements => _commands.Sum(c => c.Split(';').Count(s => !string.IsNullOrWhiteSpace(s)));

    /// <summary>Sends a GET of <paramref name="url"/> with <paramref name="client"/> and counts the SQL it caused until the answer came.</summary>
    public static async Task<(HttpResponseMessage Response, SqlCommands Sql)> GetAsync(HttpClient client, string url)
    {
        ArgumentNullException.ThrowIfNull(client);
        _ = Listener;
        var trace = ActivityTraceId.CreateRandom();
        var sql = new SqlCommands();
        Watched[trace] = sql;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Add("traceparent", $"00-{trace.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
            var response = await client.SendAsync(request);
            await response.Content.LoadIntoBufferAsync();
            return (response, sql);
        }
        finally
        {
            Watched.TryRemove(trace, out _);
        }
    }

    private static ActivityListener Listen()
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "MySqlConnector" or "Microsoft.AspNetCore",
            // Only watched traces are recorded: the request's own activity (its parent is the traceparent sent) and the
            // commands under it.
            Sample = (ref ActivityCreationOptions<ActivityContext> options) =>
                Watched.ContainsKey(options.TraceId) ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.None,
            ActivityStopped = activity =>
            {
                if (activity.Source.Name == "MySqlConnector" && activity.OperationName == "Execute" && Watched.TryGetValue(activity.TraceId, out var sql))
                {
                    sql._commands.Enqueue(activity.GetTagItem("db.statement") as string ?? activity.GetTagItem("db.query.text") as string ?? "");
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }
}
