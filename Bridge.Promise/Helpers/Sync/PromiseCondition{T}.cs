namespace Bridge.Promises;

/// <summary>
/// A condition variable carrying a value to the woken waiters (Lwt <c>'a Lwt_condition.t</c>). Notifications are
/// not sticky: a signal with nobody waiting is lost.
/// </summary>
/// <typeparam name="T">The value passed to waiters.</typeparam>
public sealed class PromiseCondition<T>
{
    private readonly Queue<Promise<T>> _waiters = new();
    private int _pruneAt = WaiterQueue.MinPruneAt;

    /// <summary>
    /// Waits for the next <see cref="Signal"/>/<see cref="Broadcast"/> (Lwt <c>Lwt_condition.wait</c>). With a
    /// <paramref name="mutex"/>, unlocks it now and re-locks it before the returned promise resolves, whatever the
    /// outcome. The wait is cancelable.
    /// </summary>
    /// <exception cref="InvalidOperationException"><paramref name="mutex"/> is given but not locked.</exception>
    public Promise<T> Wait(PromiseMutex? mutex = null)
    {
        var p = new Promise<T> { _cancelable = true };
        WaiterQueue.EnqueuePruning(_waiters, p, static w => w.IsPending, ref _pruneAt);
        if (mutex is null)
        {
            return p;
        }

        mutex.Unlock();
        return p.Finally(mutex.Lock);
    }

    /// <summary>Wakes the first waiter still waiting with <paramref name="value"/> (Lwt <c>Lwt_condition.signal</c>, via <c>wakeup_later</c>).</summary>
    public void Signal(T value)
    {
        var rt = PromiseRuntime.Current;
        while (_waiters.TryDequeue(out var waiter))
        {
            var p = waiter.Underlying();
            if (p._state == Promise<T>.StatePending)
            {
                p.FulfillCore(value, rt, allowDefer: true);
                return;
            }
        }
    }

    /// <summary>Wakes every current waiter with <paramref name="value"/>, in FIFO order (Lwt <c>Lwt_condition.broadcast</c>).</summary>
    public void Broadcast(T value)
    {
        var rt = PromiseRuntime.Current;
        var waiters = _waiters.ToArray();
        _waiters.Clear();
        foreach (var waiter in waiters)
        {
            var p = waiter.Underlying();
            if (p._state == Promise<T>.StatePending)
            {
                p.FulfillCore(value, rt, allowDefer: true);
            }
        }
    }

    /// <summary>Rejects every current waiter with <paramref name="error"/> (Lwt <c>Lwt_condition.broadcast_exn</c>).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="error"/> is null.</exception>
    public void BroadcastException(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var rt = PromiseRuntime.Current;
        var waiters = _waiters.ToArray();
        _waiters.Clear();
        foreach (var waiter in waiters)
        {
            var p = waiter.Underlying();
            if (p._state == Promise<T>.StatePending)
            {
                p.RejectCore(error, rt, allowDefer: true);
            }
        }
    }
}
