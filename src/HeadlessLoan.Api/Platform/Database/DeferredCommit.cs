namespace HeadlessLoan.Api.Platform.Database;

/// <summary>
/// A span of work (one request) whose first <see cref="DbChange"/> is not committed when its code says so, but later by
/// the span's owner, with writes of the owner's own in the same transaction — a request's answer with the change it
/// answers. Ending the span without <see cref="CommitAsync"/> rolls the change back.
/// </summary>
public sealed class DeferredCommit : IAsyncDisposable
{
    private static readonly AsyncLocal<DeferredCommit?> Ambient = new();
    private IDeferredChange? _change;
    private int _closed;

    private DeferredCommit()
    {
    }

    /// <summary>The span the current code runs in, if any.</summary>
    public static DeferredCommit? Current => Ambient.Value;

    /// <summary>Opens a span for the rest of the calling method and what it awaits; its callers do not see it.</summary>
    public static DeferredCommit Open() => Ambient.Value = new DeferredCommit();

    /// <summary>Takes <paramref name="change"/> over if it is the span's first and the span is still open; null if not.</summary>
    internal T? TakeOver<T>(T change) where T : class, IDeferredChange =>
        Volatile.Read(ref _closed) == 0 && Interlocked.CompareExchange(ref _change, change, null) is null ? change : null;

    /// <summary>
    /// Commits the handed-over change (if any) with the writes <paramref name="addWrites"/> adds to it, in one round trip
    /// with what the change still holds; false when no change was handed over.
    /// </summary>
    public async Task<bool> CommitAsync(Action<DbChange>? addWrites, CancellationToken ct)
    {
        Interlocked.Exchange(ref _closed, 1);
        if (_change is not { } change)
        {
            return false;
        }

        await change.CommitAsync(addWrites, ct);
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        Interlocked.Exchange(ref _closed, 1);
        if (Ambient.Value == this)
        {
            Ambient.Value = null;
        }

        if (Interlocked.Exchange(ref _change, null) is { } change)
        {
            await change.CloseAsync();
        }
    }
}

/// <summary>A change whose commit a <see cref="DeferredCommit"/> has taken over: a <see cref="DbChange"/>, or one request's share of a group commit.</summary>
public interface IDeferredChange
{
    /// <summary>Commits it with the writes <paramref name="addWrites"/> adds to the change.</summary>
    Task CommitAsync(Action<DbChange>? addWrites, CancellationToken ct);

    /// <summary>Ends it: rolled back unless committed.</summary>
    ValueTask CloseAsync();
}
