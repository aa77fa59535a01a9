namespace Bridge.Fibers;

/// <summary>
/// A pool of at most <c>capacity</c> reusable resources (Eio's <c>Pool</c>), e.g. connections. Resources are created on
/// demand in the user's fiber, validated on reuse, and returned to the pool even if the user's function throws. Loop
/// thread only.
/// </summary>
/// <typeparam name="T">The resource type.</typeparam>
public sealed class FiberPool<T> : ICancelHook, IWaitSite
{
    private readonly Func<ValueTask<T>> _allocate;
    private readonly Func<T, ValueTask<bool>>? _validate;
    private readonly Func<T, ValueTask>? _dispose;
    private readonly Queue<T> _idle = new();
    private readonly FiberWaitQueue _waiters = new();
    private int _created;

    /// <summary>Creates a pool (Eio <c>Pool.create ?validate ?dispose n alloc</c>).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="allocate"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is not positive.</exception>
    public FiberPool(int capacity, Func<ValueTask<T>> allocate, Func<T, ValueTask<bool>>? validate = null, Func<T, ValueTask>? dispose = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        ArgumentNullException.ThrowIfNull(allocate);
        Capacity = capacity;
        _allocate = allocate;
        _validate = validate;
        _dispose = dispose;
    }

    /// <summary>The most resources that exist at once (not counting <c>neverBlock</c> extras).</summary>
    public int Capacity { get; }

    /// <summary>Resources currently created and not disposed.</summary>
    public int Created => _created;

    /// <summary>
    /// Runs <paramref name="body"/> with a resource (Eio <c>Pool.use</c>): an idle one (validated first; a rejected one is
    /// disposed and replaced), a new one while fewer than <see cref="Capacity"/> exist, or — waiting FIFO — the next one
    /// released. With <paramref name="neverBlock"/> a full pool creates an extra resource and disposes it after use.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    /// <exception cref="CancelledException">Cancelled while waiting for a resource.</exception>
    public async ValueTask<TResult> Use<TResult>(Func<T, ValueTask<TResult>> body, bool neverBlock = false)
    {
        ArgumentNullException.ThrowIfNull(body);
        var fiber = FiberContext.Require("FiberPool.Use");
        while (true)
        {
            if (_idle.TryDequeue(out var resource))
            {
                if (_validate is null || await _validate(resource).ConfigureAwait(true))
                {
                    return await UseAndRelease(resource, body).ConfigureAwait(true);
                }

                await Discard(resource).ConfigureAwait(true);
                continue;
            }

            if (_created < Capacity)
            {
                _created++;
                T fresh;
                try
                {
                    fresh = await _allocate().ConfigureAwait(true);
                }
                catch
                {
                    _created--;
                    WakeOne(); // a waiter may now create one itself
                    throw;
                }

                return await UseAndRelease(fresh, body).ConfigureAwait(true);
            }

            if (neverBlock)
            {
                T extra = await _allocate().ConfigureAwait(true);
                try
                {
                    return await body(extra).ConfigureAwait(true);
                }
                finally
                {
                    if (_dispose is not null)
                    {
                        await Cancel.Protect(() => _dispose(extra)).ConfigureAwait(true);
                    }
                }
            }

            fiber.Check();
            await new WaitAwaiter(this, fiber);
            if (fiber.WaitSlot is Handoff handoff)
            {
                fiber.WaitSlot = null;
                return await UseAndRelease(handoff.Resource, body).ConfigureAwait(true);
            }
        }
    }

    /// <summary>Runs <paramref name="body"/> with a resource; see <see cref="Use{TResult}(Func{T, ValueTask{TResult}}, bool)"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    public async ValueTask Use(Func<T, ValueTask> body, bool neverBlock = false)
    {
        ArgumentNullException.ThrowIfNull(body);
        await Use<Unit>(async r =>
        {
            await body(r).ConfigureAwait(true);
            return default;
        }, neverBlock).ConfigureAwait(true);
    }

    void IWaitSite.Register(FiberContext fiber)
    {
        _waiters.Enqueue(fiber);
        fiber.SetCancelHook(this, null);
    }

    void ICancelHook.Cancel(FiberContext fiber, object? token, CancelledException error)
    {
        if (_waiters.Remove(fiber))
        {
            fiber.Resume(error);
        }
    }

    private async ValueTask<TResult> UseAndRelease<TResult>(T resource, Func<T, ValueTask<TResult>> body)
    {
        try
        {
            return await body(resource).ConfigureAwait(true);
        }
        finally
        {
            Release(resource);
        }
    }

    /// <summary>Hands the resource straight to the longest waiter, or puts it back.</summary>
    private void Release(T resource)
    {
        if (_waiters.TryDequeue(out var waiter))
        {
            waiter.WaitSlot = new Handoff(resource);
            waiter.Resume();
        }
        else
        {
            _idle.Enqueue(resource);
        }
    }

    private async ValueTask Discard(T resource)
    {
        _created--;
        try
        {
            if (_dispose is not null)
            {
                await Cancel.Protect(() => _dispose(resource)).ConfigureAwait(true);
            }
        }
        finally
        {
            WakeOne();
        }
    }

    /// <summary>Wakes one waiter without a resource: it retries and may create one.</summary>
    private void WakeOne()
    {
        if (_waiters.TryDequeue(out var waiter))
        {
            waiter.Resume();
        }
    }

    private sealed record Handoff(T Resource);
}
