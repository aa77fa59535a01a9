namespace Bridge.Runtimes;

/// <summary>
/// A handle returned by <see cref="EventLoop.TrackExternalOperation"/>: while it is not disposed, the loop knows
/// that something outside it (another thread, a socket, a system timer) may still post work, so an idle loop
/// waits instead of reporting a deadlock. Dispose it from any thread when the operation has delivered its result.
/// </summary>
public sealed class ExternalOperation : IDisposable
{
    private EventLoop? _loop;

    internal ExternalOperation(EventLoop loop)
    {
        _loop = loop;
    }

    /// <summary>True once disposed.</summary>
    public bool IsCompleted => Volatile.Read(ref _loop) is null;

    /// <summary>Ends the tracking and wakes the loop so it re-examines its state. Thread-safe, idempotent.</summary>
    public void Dispose() => Interlocked.Exchange(ref _loop, null)?.OnExternalOperationCompleted();
}
