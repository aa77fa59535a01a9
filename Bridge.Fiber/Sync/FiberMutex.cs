namespace Bridge.Fibers;

/// <summary>
/// A mutual-exclusion lock for fibers (Eio's <c>Mutex</c>), thread-safe across loops. Locking an unlocked mutex never
/// switches fibers or checks cancellation; waiters queue FIFO and <see cref="Unlock"/> hands the lock straight to the
/// next one. A critical section run by <see cref="UseRw{T}(Func{ValueTask{T}}, bool)"/> that fails — even by
/// cancellation — poisons the mutex: every later lock throws <see cref="PoisonedException"/>.
/// </summary>
public sealed class FiberMutex : ICancelHook, IWaitSite
{
    private readonly object _gate = new();
    private readonly FiberWaitQueue _waiters = new();
    private bool _locked;
    private Exception? _poison;

    /// <summary>True while held (diagnostics).</summary>
    public bool IsLocked
    {
        get
        {
            lock (_gate)
            {
                return _locked;
            }
        }
    }

    /// <summary>
    /// Acquires the lock (Eio <c>Mutex.lock</c>): at once if free, else waits FIFO, cancellably.
    /// </summary>
    /// <exception cref="PoisonedException">The mutex is poisoned.</exception>
    /// <exception cref="CancelledException">Cancelled while it had to wait.</exception>
    /// <exception cref="InvalidOperationException">Not called from a fiber.</exception>
    public WaitAwaiter Lock()
    {
        var fiber = FiberContext.Require("FiberMutex.Lock");
        lock (_gate)
        {
            ThrowIfPoisoned();
            if (!_locked)
            {
                _locked = true;
                return default;
            }
        }

        fiber.CheckCanWait();
        fiber.Check();
        return new WaitAwaiter(this, fiber);
    }

    /// <summary>Acquires the lock if it is free now (Eio <c>Mutex.try_lock</c>).</summary>
    /// <exception cref="PoisonedException">The mutex is poisoned.</exception>
    public bool TryLock()
    {
        lock (_gate)
        {
            ThrowIfPoisoned();
            if (_locked)
            {
                return false;
            }

            _locked = true;
            return true;
        }
    }

    /// <summary>
    /// Releases the lock, handing it to the longest waiter if any (Eio <c>Mutex.unlock</c>). Never switches fibers.
    /// </summary>
    /// <exception cref="InvalidOperationException">The mutex was not locked; it is poisoned as well (Eio does the same).</exception>
    /// <exception cref="PoisonedException">The mutex is poisoned.</exception>
    public void Unlock()
    {
        FiberContext? next;
        lock (_gate)
        {
            ThrowIfPoisoned();
            if (!_locked)
            {
                var error = new InvalidOperationException("FiberMutex.Unlock: already unlocked!");
                PoisonLocked(error, out var woken);
                WakePoisoned(woken);
                throw error;
            }

            if (!_waiters.TryDequeue(out next))
            {
                _locked = false;
                return;
            }
        }

        next.Resume();
    }

    /// <summary>
    /// Runs <paramref name="body"/> holding the lock for writing (Eio <c>Mutex.use_rw</c>). If it throws anything,
    /// including <see cref="CancelledException"/>, the mutex is poisoned and the exception rethrown. With
    /// <paramref name="protect"/> the critical section runs under <see cref="Cancel.Protect(Func{ValueTask})"/>
    /// (waiting to acquire stays cancellable).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    /// <exception cref="PoisonedException">The mutex is poisoned.</exception>
    public async ValueTask<T> UseRw<T>(Func<ValueTask<T>> body, bool protect = false)
    {
        ArgumentNullException.ThrowIfNull(body);
        await Lock();
        T result;
        try
        {
            result = protect ? await Cancel.Protect(body).ConfigureAwait(true) : await body().ConfigureAwait(true);
        }
        catch (Exception e)
        {
            Poison(e);
            throw;
        }

        Unlock();
        return result;
    }

    /// <summary>Runs <paramref name="body"/> holding the lock for writing; see <see cref="UseRw{T}(Func{ValueTask{T}}, bool)"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    /// <exception cref="PoisonedException">The mutex is poisoned.</exception>
    public async ValueTask UseRw(Func<ValueTask> body, bool protect = false)
    {
        ArgumentNullException.ThrowIfNull(body);
        await UseRw<Unit>(async () =>
        {
            await body().ConfigureAwait(true);
            return default;
        }, protect).ConfigureAwait(true);
    }

    /// <summary>
    /// Runs <paramref name="body"/> holding the lock for reading (Eio <c>Mutex.use_ro</c>): an exception unlocks instead of poisoning.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    /// <exception cref="PoisonedException">The mutex is poisoned.</exception>
    public async ValueTask<T> UseRo<T>(Func<ValueTask<T>> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        await Lock();
        try
        {
            return await body().ConfigureAwait(true);
        }
        finally
        {
            Unlock();
        }
    }

    /// <summary>Runs <paramref name="body"/> holding the lock for reading; see <see cref="UseRo{T}(Func{ValueTask{T}})"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    public async ValueTask UseRo(Func<ValueTask> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        await UseRo<Unit>(async () =>
        {
            await body().ConfigureAwait(true);
            return default;
        }).ConfigureAwait(true);
    }

    void IWaitSite.Register(FiberContext fiber)
    {
        lock (_gate)
        {
            if (_poison is null && _locked)
            {
                _waiters.Enqueue(fiber);
                fiber.SetCancelHook(this, null);
                return;
            }

            if (_poison is null)
            {
                _locked = true; // freed meanwhile by another thread
            }
        }

        fiber.Resume(_poison is null ? null : new PoisonedException(_poison));
    }

    void ICancelHook.Cancel(FiberContext fiber, object? token, CancelledException error)
    {
        bool removed;
        lock (_gate)
        {
            removed = _waiters.Remove(fiber);
        }

        if (removed)
        {
            fiber.Resume(error);
        }
    }

    private void Poison(Exception cause)
    {
        List<FiberContext> woken;
        lock (_gate)
        {
            PoisonLocked(cause, out woken);
        }

        WakePoisoned(woken);
    }

    private void PoisonLocked(Exception cause, out List<FiberContext> woken)
    {
        _poison ??= cause;
        woken = _waiters.TakeAll();
    }

    private void WakePoisoned(List<FiberContext> woken)
    {
        foreach (var fiber in woken)
        {
            fiber.Resume(new PoisonedException(_poison!));
        }
    }

    private void ThrowIfPoisoned()
    {
        if (_poison is not null)
        {
            throw new PoisonedException(_poison);
        }
    }
}
