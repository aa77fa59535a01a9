namespace Bridge.Fibers;

/// <summary>
/// A pool of at most <c>capacity</c> reusable resources (Eio's <c>Pool</c>), e.g. connections. As in Eio, the pool hands
/// out <em>slots</em> FIFO; a slot holds a resource or is empty. A user below capacity adds a new empty slot and then
/// waits for the next slot like everyone else (so creating a slot always suspends the caller), and fills an empty slot
/// by allocating in its own fiber. A reused resource is validated first; a rejected one is disposed and replaced. The
/// slot goes back to the pool even if the user's function, the allocation or the disposal throws. Loop thread only.
/// </summary>
/// <typeparam name="T">The resource type.</typeparam>
public sealed class FiberPool<T> : ICancelHook, IWaitSite
{
    private readonly Func<ValueTask<T>> _allocate;
    private readonly Func<T, ValueTask<bool>>? _validate;
    private readonly Func<T, ValueTask>? _dispose;
    private readonly Queue<Slot> _available = new();
    private readonly FiberWaitQueue _waiters = new();
    private int _slots;
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

    /// <summary>Resources currently created and not disposed (not counting <c>neverBlock</c> extras).</summary>
    public int Created => _created;

    /// <summary>
    /// Runs <paramref name="body"/> with a resource (Eio <c>Pool.use</c>): an idle slot's resource at once (validated
    /// first; a rejected one is disposed and replaced), or — adding a new slot while fewer than <see cref="Capacity"/>
    /// exist — the next slot handed out, waiting FIFO. An empty slot is filled by allocating in this fiber; if that fails,
    /// this use fails and the empty slot goes to the next waiter, which retries. With <paramref name="neverBlock"/> a full
    /// pool with no idle slot creates an extra resource and disposes it after use.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    /// <exception cref="CancelledException">Cancelled while waiting for a slot.</exception>
    /// <exception cref="InvalidOperationException">Not called from a fiber.</exception>
    public async ValueTask<TResult> Use<TResult>(Func<T, ValueTask<TResult>> body, bool neverBlock = false)
    {
        ArgumentNullException.ThrowIfNull(body);
        var fiber = FiberContext.Require("FiberPool.Use");
        if (_available.TryDequeue(out var slot))
        {
            return await RunWith(slot, body).ConfigureAwait(true);
        }

        if (_slots >= Capacity && neverBlock)
        {
            return await RunNewAndDispose(body).ConfigureAwait(true);
        }

        if (_slots < Capacity)
        {
            _slots++;
            Add(new Slot());
        }

        fiber.CheckCanWait();
        await new WaitAwaiter(this, fiber);
        slot = (Slot)fiber.WaitSlot!;
        fiber.WaitSlot = null;
        return await RunWith(slot, body).ConfigureAwait(true);
    }

    /// <summary>Runs <paramref name="body"/> with a resource; see <see cref="Use{TResult}(Func{T, ValueTask{TResult}}, bool)"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    /// <exception cref="CancelledException">Cancelled while waiting for a slot.</exception>
    public async ValueTask Use(Func<T, ValueTask> body, bool neverBlock = false)
    {
        ArgumentNullException.ThrowIfNull(body);
        await Use<Unit>(async r =>
        {
            await body(r).ConfigureAwait(true);
            return default;
        }, neverBlock).ConfigureAwait(true);
    }

    /// <summary>Takes an idle slot if one appeared (no cancellation check then), else waits for one, cancellably.</summary>
    void IWaitSite.Register(FiberContext fiber)
    {
        if (_available.TryDequeue(out var slot))
        {
            fiber.WaitSlot = slot;
            fiber.Resume();
        }
        else if (fiber.IsCancelled)
        {
            fiber.Resume(new CancelledException(fiber.CancelContext.Reason!));
        }
        else
        {
            _waiters.Enqueue(fiber);
            fiber.SetCancelHook(this);
        }
    }

    void ICancelHook.Cancel(FiberContext fiber, CancelledException error)
    {
        if (_waiters.Remove(fiber))
        {
            fiber.Resume(error);
        }
    }

    /// <summary>Hands the slot straight to the longest waiter, or makes it idle.</summary>
    private void Add(Slot slot)
    {
        if (_waiters.TryDequeue(out var waiter))
        {
            waiter.WaitSlot = slot;
            waiter.Resume();
        }
        else
        {
            _available.Enqueue(slot);
        }
    }

    /// <summary>Makes sure the slot holds a valid resource, runs the body with it, and always returns the slot.</summary>
    private async ValueTask<TResult> RunWith<TResult>(Slot slot, Func<T, ValueTask<TResult>> body)
    {
        try
        {
            T resource;
            if (!slot.HasValue)
            {
                resource = await Fill(slot).ConfigureAwait(true);
            }
            else if (_validate is null || await _validate(slot.Value).ConfigureAwait(true))
            {
                resource = slot.Value;
            }
            else
            {
                var rejected = slot.Value;
                slot.Clear();
                _created--;
                if (_dispose is not null)
                {
                    await Cancel.Protect(() => _dispose(rejected)).ConfigureAwait(true);
                }

                resource = await Fill(slot).ConfigureAwait(true);
            }

            return await body(resource).ConfigureAwait(true);
        }
        finally
        {
            Add(slot);
        }
    }

    private async ValueTask<T> Fill(Slot slot)
    {
        var resource = await _allocate().ConfigureAwait(true);
        slot.Set(resource);
        _created++;
        return resource;
    }

    private async ValueTask<TResult> RunNewAndDispose<TResult>(Func<T, ValueTask<TResult>> body)
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

    /// <summary>A place for one resource; empty until a user allocates into it.</summary>
    private sealed class Slot
    {
        public bool HasValue { get; private set; }

        public T Value { get; private set; } = default!;

        public void Set(T value)
        {
            Value = value;
            HasValue = true;
        }

        public void Clear()
        {
            Value = default!;
            HasValue = false;
        }
    }
}
