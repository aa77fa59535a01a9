namespace Bridge.Promises;

/// <summary>
/// A pool of at most <c>maxSize</c> reusable elements created lazily (Lwt <c>'a Lwt_pool.t</c>): <see cref="Use{TResult}"/>
/// borrows one (waiting FIFO when all are in use) and returns it afterwards.
/// </summary>
/// <typeparam name="T">The pooled element type.</typeparam>
public sealed class PromisePool<T>
{
    private readonly int _maxSize;
    private readonly Func<Promise<T>> _create;
    private readonly Func<T, Promise<bool>>? _validate;
    private readonly Func<T, Promise<bool>>? _check;
    private readonly Func<T, Promise<Unit>>? _dispose;
    private readonly Queue<(T Element, int Generation)> _idle = new();
    private readonly Queue<Promise<(T, int)>> _waiters = new();
    private int _pruneAt = WaiterQueue.MinPruneAt;
    private int _count;
    private int _generation;

    /// <summary>
    /// Creates a pool (Lwt <c>Lwt_pool.create n ?validate ?check ?dispose f</c>).
    /// </summary>
    /// <param name="maxSize">Maximum number of elements alive at once.</param>
    /// <param name="create">Creates an element.</param>
    /// <param name="validate">Called on an idle element before reuse; false (or a failure) disposes it and a fresh one is made.</param>
    /// <param name="check">Called when a use fails; false disposes the element instead of returning it. Default: keep.</param>
    /// <param name="dispose">Releases an element removed from the pool.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxSize"/> is negative.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="create"/> is null.</exception>
    public PromisePool(int maxSize, Func<Promise<T>> create, Func<T, Promise<bool>>? validate = null, Func<T, Promise<bool>>? check = null, Func<T, Promise<Unit>>? dispose = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxSize);
        ArgumentNullException.ThrowIfNull(create);
        _maxSize = maxSize;
        _create = create;
        _validate = validate;
        _check = check;
        _dispose = dispose;
    }

    /// <summary>Number of <see cref="Use{TResult}"/> calls waiting for an element (Lwt <c>Lwt_pool.wait_queue_length</c>).</summary>
    public int WaitQueueLength => _waiters.Count(w => w.IsPending);

    /// <summary>
    /// Borrows an element, runs <paramref name="f"/> with it, and returns it to the pool (Lwt <c>Lwt_pool.use</c>).
    /// The result is <paramref name="f"/>'s outcome. On failure, the check function decides whether the element is kept.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> is null.</exception>
    public Promise<TResult> Use<TResult>(Func<T, Promise<TResult>> f)
    {
        ArgumentNullException.ThrowIfNull(f);
        return Acquire().Bind(lease => Promise.Apply(() => f(lease.Item1)).TryBind(
            result =>
            {
                Release(lease.Item1, lease.Item2);
                return Promise.FromResult(result);
            },
            error => (_check is null ? Promise.FromResult(true) : Promise.Apply(() => _check(lease.Item1))).TryBind(
                keep =>
                {
                    if (keep)
                    {
                        Release(lease.Item1, lease.Item2);
                        return Promise.FromException<TResult>(error);
                    }

                    return DisposeAndReplace(lease.Item1).Bind(_ => Promise.FromException<TResult>(error));
                },
                _ => DisposeAndReplace(lease.Item1).Bind(_ => Promise.FromException<TResult>(error)))));
    }

    /// <summary>
    /// Disposes every idle element now and marks the ones in use to be disposed when returned; later uses get fresh
    /// elements (Lwt <c>Lwt_pool.clear</c>).
    /// </summary>
    public Promise<Unit> Clear()
    {
        _generation++;
        var idle = _idle.ToArray();
        _idle.Clear();
        _count -= idle.Length;
        return PromiseList.IterS(e => DisposeElement(e.Element), idle);
    }

    private Promise<(T, int)> Acquire()
    {
        if (_idle.TryDequeue(out var idle))
        {
            if (_validate is null)
            {
                return Promise.FromResult((idle.Element, idle.Generation));
            }

            return Promise.Apply(() => _validate(idle.Element)).TryBind(
                ok => ok
                    ? Promise.FromResult((idle.Element, idle.Generation))
                    : DisposeElement(idle.Element).Bind(_ => CreateFor(countAlreadyHeld: true)),
                error =>
                {
                    _count--;
                    return DisposeElement(idle.Element).Bind(_ =>
                    {
                        ServeWaiterWithFreshElement();
                        return Promise.FromException<(T, int)>(error);
                    });
                });
        }

        if (_count < _maxSize)
        {
            _count++;
            return CreateFor(countAlreadyHeld: true);
        }

        var p = new Promise<(T, int)> { _cancelable = true };
        WaiterQueue.EnqueuePruning(_waiters, p, static w => w.IsPending, ref _pruneAt);
        return p;
    }

    /// <summary>Creates an element for a slot already counted; a failure gives the slot back.</summary>
    private Promise<(T, int)> CreateFor(bool countAlreadyHeld)
    {
        int generation = _generation;
        return Promise.Apply(_create).TryBind(
            e => Promise.FromResult((e, generation)),
            error =>
            {
                if (countAlreadyHeld)
                {
                    _count--;
                }

                return Promise.FromException<(T, int)>(error);
            });
    }

    private void Release(T element, int generation)
    {
        if (generation != _generation)
        {
            _count--;
            Promise.Async(() => DisposeElement(element));
            ServeWaiterWithFreshElement();
            return;
        }

        var rt = PromiseRuntime.Current;
        while (_waiters.TryDequeue(out var waiter))
        {
            var w = waiter.Underlying();
            if (w._state == Promise<(T, int)>.StatePending)
            {
                w.FulfillCore((element, generation), rt, allowDefer: true);
                return;
            }
        }

        _idle.Enqueue((element, generation));
    }

    private Promise<Unit> DisposeAndReplace(T element)
    {
        _count--;
        return DisposeElement(element).Map(_ =>
        {
            ServeWaiterWithFreshElement();
            return default(Unit);
        });
    }

    private void ServeWaiterWithFreshElement()
    {
        while (_waiters.TryPeek(out var waiter) && !waiter.IsPending)
        {
            _ = _waiters.Dequeue();
        }

        if (_waiters.Count == 0 || _count >= _maxSize)
        {
            return;
        }

        var next = _waiters.Dequeue();
        _count++;
        CreateFor(countAlreadyHeld: true).OnAnyInternal(
            lease => next.TryFulfill(lease, PromiseRuntime.Current),
            error => next.TryReject(error, PromiseRuntime.Current));
    }

    private Promise<Unit> DisposeElement(T element) =>
        _dispose is null ? Promise.Unit : Promise.Apply(() => _dispose(element));
}
