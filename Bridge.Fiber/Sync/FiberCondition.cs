namespace Bridge.Fibers;

/// <summary>
/// Waiting until something changes (Eio's <c>Condition</c>), thread-safe across loops. <see cref="Broadcast"/> wakes
/// every current waiter (appending them to the run queue) and never blocks; with no waiters it does nothing, so a
/// broadcast before the wait is missed — test the condition in a loop.
/// </summary>
public sealed class FiberCondition : ICancelHook
{
    private SpinGate _gate;
    private readonly FiberWaitQueue _waiters = new();
    private long _broadcasts;

    /// <summary>
    /// Registers, <em>then</em> unlocks <paramref name="mutex"/>, waits for a broadcast (cancellably), and re-locks the
    /// mutex — non-cancellably — before returning or throwing (Eio <c>Condition.await</c>).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="mutex"/> is null.</exception>
    /// <exception cref="CancelledException">Cancelled while waiting (the mutex is held again).</exception>
    /// <exception cref="PoisonedException">
    /// The mutex is poisoned — also when the caller did not hold it: unlocking then fails and poisons it, as in Eio.
    /// </exception>
    public async ValueTask Await(FiberMutex mutex)
    {
        ArgumentNullException.ThrowIfNull(mutex);
        var fiber = FiberContext.Require("FiberCondition.Await");
        fiber.CheckCanWait();
        Exception? error = null;
        try
        {
            await new WaitAwaiter(new Registration(this, mutex), fiber);
        }
        catch (Exception e)
        {
            error = e;
        }

        await Cancel.Protect(async () => await mutex.Lock()).ConfigureAwait(true);
        if (error is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        }
    }

    /// <summary>
    /// Waits for the next broadcast without a mutex (Eio <c>Condition.await_no_mutex</c>): safe only on one loop, when the
    /// condition test did not switch fibers.
    /// </summary>
    /// <exception cref="CancelledException">Cancelled while waiting.</exception>
    /// <exception cref="InvalidOperationException">Not called from a fiber.</exception>
    public WaitAwaiter AwaitNoMutex()
    {
        var fiber = FiberContext.Require("FiberCondition.AwaitNoMutex");
        fiber.CheckCanWait();
        return new(new Registration(this, null), fiber);
    }

    /// <summary>Wakes every fiber waiting now (Eio <c>Condition.broadcast</c>). Never switches fibers; thread-safe.</summary>
    public void Broadcast()
    {
        _gate.Enter();
        _broadcasts++;
        if (_waiters.IsEmpty)
        {
            _gate.Exit();
            return;
        }

        var woken = _waiters.TakeAll();
        _gate.Exit();

        foreach (var fiber in woken)
        {
            fiber.Resume();
        }
    }

    /// <summary>
    /// Runs <paramref name="update"/> until it returns true, re-running it after every broadcast — including one that
    /// arrives while it runs (Eio <c>Condition.loop_no_mutex</c>). After each false the fiber suspends once, as Eio's
    /// does: until the next broadcast, or only to the back of the run queue if a broadcast already arrived meanwhile.
    /// Cancellation is checked each time it would wait.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="update"/> is null.</exception>
    /// <exception cref="CancelledException">Cancelled while waiting.</exception>
    /// <exception cref="InvalidOperationException">Not called from a fiber.</exception>
    public async ValueTask LoopNoMutex(Func<bool> update)
    {
        ArgumentNullException.ThrowIfNull(update);
        var fiber = FiberContext.Require("FiberCondition.LoopNoMutex");
        while (true)
        {
            long seen = Broadcasts;
            if (update())
            {
                return;
            }

            fiber.CheckCanWait();
            await new WaitAwaiter(new Registration(this, null, seen), fiber);
        }
    }

    /// <summary>
    /// Like <see cref="LoopNoMutex(Func{bool})"/> for an update that may itself wait or switch fibers; a broadcast that
    /// arrives while it is suspended is not missed.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="update"/> is null.</exception>
    /// <exception cref="CancelledException">Cancelled while waiting.</exception>
    /// <exception cref="InvalidOperationException">Not called from a fiber.</exception>
    public async ValueTask LoopNoMutex(Func<ValueTask<bool>> update)
    {
        ArgumentNullException.ThrowIfNull(update);
        var fiber = FiberContext.Require("FiberCondition.LoopNoMutex");
        while (true)
        {
            long seen = Broadcasts;
            if (await update().ConfigureAwait(true))
            {
                return;
            }

            fiber.CheckCanWait();
            await new WaitAwaiter(new Registration(this, null, seen), fiber);
        }
    }

    private long Broadcasts => Interlocked.Read(ref _broadcasts);

    void ICancelHook.Cancel(FiberContext fiber, CancelledException error)
    {
        FiberWaitQueue.CancelWaiter(ref _gate, _waiters, fiber, error);
    }

    /// <summary>
    /// One wait: cancellation is checked as it starts; the mutex is released only once the fiber is registered. With
    /// <paramref name="seen"/> (LoopNoMutex), a broadcast counted since then wakes the fiber at once instead.
    /// </summary>
    private sealed class Registration(FiberCondition condition, FiberMutex? mutex, long? seen = null) : IWaitSite
    {
        public void Register(FiberContext fiber)
        {
            if (fiber.IsCancelled)
            {
                Exception? unlockError = null;
                TryUnlock(ref unlockError);
                fiber.Resume(unlockError ?? new CancelledException(fiber.CancelContext.Reason!));
                return;
            }

            condition._gate.Enter();
            bool missed = seen is { } count && condition._broadcasts != count;
            if (!missed)
            {
                condition._waiters.Enqueue(fiber);
                fiber.SetCancelHook(condition);
            }

            condition._gate.Exit();

            Exception? failure = null;
            if (!TryUnlock(ref failure))
            {
                // Unlocking failed (the caller did not hold the mutex): this runs while the fiber suspends, where a
                // throw would escape the fiber altogether, so undo the registration and wake the fiber with the error.
                condition._gate.Enter();
                bool removed = condition._waiters.Remove(fiber);
                condition._gate.Exit();
                if (removed)
                {
                    fiber.Resume(failure);
                }

                return;
            }

            if (missed)
            {
                fiber.Resume();
            }
        }

        /// <summary>Unlocks the mutex, if any; on failure stores the exception in <paramref name="error"/> and returns false.</summary>
        private bool TryUnlock(ref Exception? error)
        {
            try
            {
                mutex?.Unlock();
                return true;
            }
            catch (Exception e)
            {
                error = e;
                return false;
            }
        }
    }
}
