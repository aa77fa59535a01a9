namespace Bridge.Promises;

/// <summary>
/// A cooperative mutex with a FIFO queue of waiters (Lwt <c>Lwt_mutex</c>). Ownership is handed directly to the
/// first waiter on <see cref="Unlock"/> (with <c>wakeup_later</c>, so unlocking never deepens the stack); a canceled
/// waiter never acquires the mutex.
/// </summary>
public sealed class PromiseMutex
{
    private readonly Queue<Promise<Unit>> _waiters = new();
    private int _pruneAt = WaiterQueue.MinPruneAt;
    private bool _locked;

    /// <summary>True while some holder owns the mutex (Lwt <c>Lwt_mutex.is_locked</c>).</summary>
    public bool IsLocked => _locked;

    /// <summary>True when nobody waits for the mutex (Lwt <c>Lwt_mutex.is_empty</c>).</summary>
    public bool IsEmpty
    {
        get
        {
            foreach (var w in _waiters)
            {
                if (w.IsPending)
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>
    /// Locks the mutex (Lwt <c>Lwt_mutex.lock</c>): an already fulfilled promise when it is free, else a cancelable
    /// promise fulfilled when ownership is handed over; canceling it leaves the queue.
    /// </summary>
    public Promise<Unit> Lock()
    {
        if (!_locked)
        {
            _locked = true;
            return Promise.Unit;
        }

        var p = new Promise<Unit> { _cancelable = true };
        WaiterQueue.EnqueuePruning(_waiters, p, static w => w.IsPending, ref _pruneAt);
        return p;
    }

    /// <summary>
    /// Unlocks the mutex, handing it to the first waiter that is still waiting (Lwt <c>Lwt_mutex.unlock</c>).
    /// </summary>
    /// <exception cref="InvalidOperationException">The mutex is not locked (Lwt silently ignores this; it is always a bug).</exception>
    public void Unlock()
    {
        if (!_locked)
        {
            throw new InvalidOperationException("PromiseMutex.Unlock: the mutex is not locked (Lwt_mutex.unlock of an unlocked mutex).");
        }

        var rt = PromiseRuntime.Current;
        while (_waiters.TryDequeue(out var waiter))
        {
            var p = waiter.Underlying();
            if (p._state == Promise<Unit>.StatePending)
            {
                p.FulfillCore(default, rt, allowDefer: true);
                return; // stays locked: ownership moved to the waiter
            }
        }

        _locked = false;
    }

    /// <summary>
    /// Runs <paramref name="f"/> while holding the mutex and unlocks it however <paramref name="f"/> ends (Lwt
    /// <c>Lwt_mutex.with_lock</c>).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> is null.</exception>
    public Promise<T> With<T>(Func<Promise<T>> f)
    {
        ArgumentNullException.ThrowIfNull(f);
        return Lock().Bind(_ => Promise.Finally(f, () =>
        {
            Unlock();
            return Promise.Unit;
        }));
    }
}
