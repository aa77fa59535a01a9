namespace Bridge.Fibers;

/// <summary>
/// A mutual-exclusion lock for fibers (Eio's <c>Mutex</c>), thread-safe across loops. Locking an unlocked mutex never
/// switches fibers or checks cancellation; waiters queue FIFO and <see cref="Unlock"/> hands the lock straight to the
/// next one. A critical section run by <see cref="UseRw{T}(Func{ValueTask{T}}, bool)"/> that fails — even by
/// cancellation — poisons the mutex: every later lock throws <see cref="PoisonedException"/>.
/// </summary>
public sealed class FiberMutex : ICancelHook, IWaitSite
{
    private const int Free = 0;
    private const int Held = 1;
    private const int HeldWithWaiters = 2; // only set, and waiters only linked, while holding _gate

    private readonly FiberWaitQueue _waiters = new();
    private SpinGate _gate;
    private int _state;
    private volatile Exception? _poison;

    /// <summary>True while held (diagnostics).</summary>
    public bool IsLocked => Volatile.Read(ref _state) != Free;

    /// <summary>
    /// Acquires the lock (Eio <c>Mutex.lock</c>): at once if free, else waits FIFO, cancellably.
    /// </summary>
    /// <exception cref="PoisonedException">The mutex is poisoned.</exception>
    /// <exception cref="CancelledException">Cancelled while it had to wait.</exception>
    /// <exception cref="InvalidOperationException">Not called from a fiber.</exception>
    public WaitAwaiter Lock()
    {
        var fiber = FiberContext.Require("FiberMutex.Lock");
        ThrowIfPoisoned();
        if (Interlocked.CompareExchange(ref _state, Held, Free) == Free)
        {
            return default;
        }

        fiber.CheckCanWait();
        fiber.Check();
        return new WaitAwaiter(this, fiber);
    }

    /// <summary>Acquires the lock if it is free now (Eio <c>Mutex.try_lock</c>).</summary>
    /// <exception cref="PoisonedException">The mutex is poisoned.</exception>
    public bool TryLock()
    {
        ThrowIfPoisoned();
        return Interlocked.CompareExchange(ref _state, Held, Free) == Free;
    }

    /// <summary>
    /// Releases the lock, handing it to the longest waiter if any (Eio <c>Mutex.unlock</c>). Never switches fibers.
    /// </summary>
    /// <exception cref="InvalidOperationException">The mutex was not locked; it is poisoned as well (Eio does the same).</exception>
    /// <exception cref="PoisonedException">The mutex is poisoned.</exception>
    public void Unlock()
    {
        ThrowIfPoisoned();
        if (Interlocked.CompareExchange(ref _state, Free, Held) == Held)
        {
            return;
        }

        FiberContext? next;
        _gate.Enter();
        if (_state == Free)
        {
            _gate.Exit();
            var error = new InvalidOperationException("FiberMutex.Unlock: already unlocked!");
            Poison(error);
            throw error;
        }

        if (_waiters.TryDequeue(out next))
        {
            // Hand the lock over: it stays held, now by the waiter.
            _state = _waiters.IsEmpty ? Held : HeldWithWaiters;
        }
        else
        {
            _state = Free; // the last waiter was cancelled
        }

        _gate.Exit();
        next?.Resume();
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
        _gate.Enter();
        while (_poison is null)
        {
            int state = Volatile.Read(ref _state);
            if (state == Free)
            {
                if (Interlocked.CompareExchange(ref _state, Held, Free) == Free)
                {
                    break; // freed meanwhile by another thread: ours now
                }
            }
            else if (state == HeldWithWaiters || Interlocked.CompareExchange(ref _state, HeldWithWaiters, Held) == Held)
            {
                _waiters.Enqueue(fiber);
                fiber.SetCancelHook(this);
                _gate.Exit();
                return;
            }
        }

        _gate.Exit();
        var poison = _poison;
        fiber.Resume(poison is null ? null : new PoisonedException(poison));
    }

    void ICancelHook.Cancel(FiberContext fiber, CancelledException error)
    {
        FiberWaitQueue.CancelWaiter(ref _gate, _waiters, fiber, error);
    }

    private void Poison(Exception cause)
    {
        _gate.Enter();
        _poison ??= cause;
        var woken = _waiters.TakeAll();
        _gate.Exit();
        foreach (var fiber in woken)
        {
            fiber.Resume(new PoisonedException(_poison));
        }
    }

    private void ThrowIfPoisoned()
    {
        if (_poison is { } poison)
        {
            throw new PoisonedException(poison);
        }
    }
}
