namespace Bridge.Runtimes;

/// <summary>
/// A one-shot timer started by <see cref="EventLoop.StartTimer"/>: the loop's counterpart of
/// <c>Lwt_engine.on_timer</c> and of Eio's sleep queue entry. Disposing it cancels it.
/// </summary>
public sealed class LoopTimer : IDisposable
{
    private readonly EventLoop _loop;
    private Action<object?>? _callback;
    private object? _state;

    internal LoopTimer(EventLoop loop, long deadline, long sequence, long createdIteration, Action<object?> callback, object? state)
    {
        _loop = loop;
        Deadline = deadline;
        Sequence = sequence;
        CreatedIteration = createdIteration;
        _callback = callback;
        _state = state;
    }

    /// <summary>Deadline in loop ticks (100 ns units since the loop's clock origin).</summary>
    internal long Deadline { get; }

    /// <summary>Registration order; breaks deadline ties.</summary>
    internal long Sequence { get; }

    internal long CreatedIteration { get; }

    /// <summary>True once the timer has fired or been cancelled.</summary>
    public bool IsCompleted => Volatile.Read(ref _callback) is null;

    /// <summary>
    /// Cancels the timer if it has not fired yet (<c>Lwt_engine.stop_event</c>). Thread-safe and idempotent.
    /// </summary>
    /// <returns>True if this call stopped the timer; false if it had already fired or been cancelled.</returns>
    public bool Cancel()
    {
        if (Interlocked.Exchange(ref _callback, null) is null)
        {
            return false;
        }

        _state = null;
        _loop.OnTimerCancelled();
        return true;
    }

    /// <summary>Same as <see cref="Cancel"/>.</summary>
    public void Dispose() => Cancel();

    /// <summary>Claims and runs the callback; false if the timer was cancelled first.</summary>
    internal bool TryFire()
    {
        var callback = Interlocked.Exchange(ref _callback, null);
        if (callback is null)
        {
            return false;
        }

        var state = _state;
        _state = null;
        callback(state);
        return true;
    }
}
