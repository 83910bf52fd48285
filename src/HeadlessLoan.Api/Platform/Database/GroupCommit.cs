using HeadlessLoan.Api.Platform.Audit;
using MySqlConnector;

namespace HeadlessLoan.Api.Platform.Database;

/// <summary>
/// Changes that arrive together, made as one <see cref="DbChange"/> (group commit): concurrent items are taken in
/// batches (<see cref="MicroBatcher{TItem,TResult}"/>); the feature reads what the batch needs once, locking its rows,
/// then applies each item on its own as a plain change (its writes held), and the batch's writes go in one round trip
/// with one commit. See docs/architecture.md, "Why batching".
/// </summary>
/// <remarks>
/// An item queued by a request with an idempotency key (a <see cref="DeferredCommit"/>) that changed something is
/// handed to that request: its result comes back before the commit, the request adds its answer, and the batch commits
/// once each such request has done so. If one of them fails instead, or the commit fails, nothing of the batch is
/// written and each of its items fails.
/// </remarks>
public sealed partial class GroupCommit<TItem, TRead, TResult> : IAsyncDisposable
{
    /// <summary>How long a batch waits for its requests' answers before it gives up on them (they take microseconds).</summary>
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(10);


    private readonly MySqlDataSource _db;
    private readonly AuditTrail _audit;
    private readonly Func<DbChange, IReadOnlyList<TItem>, CancellationToken, Task<TRead>> _read;
    private readonly Func<DbChange, TItem, TRead, TResult> _apply;
    private readonly MicroBatcher<Entry, bool> _batcher;
    private readonly ILogger _logger;

    /// <param name="read">Reads (and locks, in key order) what the batch's items need, in one round trip.</param>
    /// <param name="apply">Decides one item against what was read, and records its change (held writes only).</param>
    /// <param name="inFlight">Batches at once; more than one only where batches cannot deadlock, or may run again when they do.</param>
    public GroupCommit(
        string name, MySqlDataSource db, AuditTrail audit, Func<DbChange, IReadOnlyList<TItem>, CancellationToken, Task<TRead>> read,
        Func<DbChange, TItem, TRead, TResult> apply, int maxBatch, ILogger logger, int inFlight = 1)
    {
        _db = db;
        _audit = audit;
        _read = read;
        _apply = apply;
        _logger = logger;
        _batcher = new MicroBatcher<Entry, bool>(name, CommitAllAsync, maxBatch, logger, inFlight);
    }

    /// <summary>
    /// Queues <paramref name="item"/> and returns its result: after the commit, or, for a request whose answer goes into
    /// the commit, as soon as it is decided. Once queued, the item is made even if its caller stops waiting.
    /// </summary>
    public Task<TResult> RunAsync(TItem item)
    {
        var entry = new Entry(item, DeferredCommit.Current, _audit.CurrentRequestId());
        // Every outcome, a failed batch's included, reaches the item through Decided.
        _ = _batcher.RunAsync(entry).ContinueWith(static t => t.Exception, TaskScheduler.Default);
        return entry.Decided.Task;
    }

    private async Task<IReadOnlyList<bool>> CommitAllAsync(IReadOnlyList<Entry> entries, CancellationToken ct)
    {
        var members = new List<Member>();
        try
        {
            await using (var change = await ApplyAllAsync(entries, members, ct))
            {
                await Task.WhenAll(members.Select(m => m.Answered.Task)).WaitAsync(AnswerTimeout, ct);
                await change.CommitNowAsync(ct, mergeRows: true);
            }

            members.ForEach(m => m.Committed.TrySetResult());
            foreach (var entry in entries)
            {
                entry.Decided.TrySetResult(entry.Result!);
            }

            return entries.Select(_ => true).ToList();
        }
        catch (Exception e)
        {
            members.ForEach(m => m.Committed.TrySetException(e));
            foreach (var entry in entries)
            {
                entry.Decided.TrySetException(e);
            }

            throw;
        }
    }

    /// <summary>Reads and applies every item, its writes held; hands changed items with an idempotent request to that request.</summary>
    private async Task<DbChange> ApplyAllAsync(IReadOnlyList<Entry> entries, List<Member> members, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var change = await DbChange.BeginAsync(_db, _audit, ct);
            try
            {
                var read = await _read(change, entries.Select(e => e.Item).ToList(), ct);
                var handed = new List<Entry>();
                foreach (var entry in entries)
                {
                    var held = change.HeldCount;
                    change.OnBehalfOf = entry.RequestId;
                    entry.Result = _apply(change, entry.Item, read);
                    if (change.HeldCount > held && entry.Deferral is { } deferral && deferral.TakeOver(new Member(change)) is { } member)
                    {
                        members.Add(member);
                        handed.Add(entry);
                    }
                }

                change.OnBehalfOf = null;
                // Decided: their requests answer now, and the batch commits with the answers. Only once every item is
                // applied, since their answers are added to the same change.
                handed.ForEach(e => e.Decided.TrySetResult(e.Result!));
                return change;
            }
            catch (MySqlException e) when (DatabaseFaults.IsConflict(e) && attempt < DatabaseFaults.MaxAttempts && members.Count == 0)
            {
                // A deadlock, or a lock waited for too long: nothing is handed out yet, so the whole batch runs again.
                LogConflict(_logger, entries.Count, e.Number, attempt);
                await change.CloseAsync();
            }
            catch
            {
                await change.CloseAsync();
                throw;
            }
        }
    }

    public ValueTask DisposeAsync() => _batcher.DisposeAsync();

    [LoggerMessage(Level = LogLevel.Information, Message = "A batch of {Count} lost a conflict (MySQL error {Number}) and runs again (attempt {Attempt})")]
    private static partial void LogConflict(ILogger logger, int count, int number, int attempt);

    private sealed record Entry(TItem Item, DeferredCommit? Deferral, string? RequestId)
    {
        public TaskCompletionSource<TResult> Decided { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TResult? Result { get; set; }
    }

    /// <summary>One request's share of a batch: it adds its answer, then waits for the batch's commit.</summary>
    private sealed class Member(DbChange change) : IDeferredChange
    {
        public TaskCompletionSource Answered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Committed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task CommitAsync(Action<DbChange>? addWrites, CancellationToken ct)
        {
            lock (change)
            {
                addWrites?.Invoke(change);
            }

            Answered.TrySetResult();
            await Committed.Task;
        }

        /// <summary>Ends the request's share: a request that did not answer fails the batch.</summary>
        public ValueTask CloseAsync()
        {
            Answered.TrySetException(new InvalidOperationException("A request of the batch failed before it answered; the batch is not committed."));
            return ValueTask.CompletedTask;
        }
    }
}
