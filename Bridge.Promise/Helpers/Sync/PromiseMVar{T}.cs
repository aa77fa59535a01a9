namespace Bridge.Promises;

/// <summary>
/// A one-slot mailbox (Lwt <c>'a Lwt_mvar.t</c>): <see cref="Put"/> fills it or waits while it is full,
/// <see cref="Take"/> empties it or waits while it is empty; waiters are served FIFO and woken with <c>wakeup_later</c>.
/// </summary>
/// <typeparam name="T">The value type.</typeparam>
public sealed class PromiseMVar<T>
{
    private readonly Queue<(T Value, Promise<Unit> Promise)> _writers = new();
    private readonly Queue<Promise<T>> _readers = new();
    private int _writersPruneAt = WaiterQueue.MinPruneAt;
    private int _readersPruneAt = WaiterQueue.MinPruneAt;
    private bool _full;
    private T _value = default!;

    /// <summary>Creates an empty mailbox (Lwt <c>Lwt_mvar.create_empty</c>).</summary>
    public PromiseMVar()
    {
    }

    /// <summary>Creates a mailbox holding <paramref name="value"/> (Lwt <c>Lwt_mvar.create</c>).</summary>
    public PromiseMVar(T value)
    {
        _full = true;
        _value = value;
    }

    /// <summary>True when no value is stored (Lwt <c>Lwt_mvar.is_empty</c>).</summary>
    public bool IsEmpty => !_full;

    /// <summary>
    /// Puts <paramref name="value"/> (Lwt <c>Lwt_mvar.put</c>): handed straight to the first waiting reader, or stored
    /// if the mailbox is empty (fulfilled promise); when full, returns a cancelable promise and queues the value —
    /// canceling it withdraws the value.
    /// </summary>
    public Promise<Unit> Put(T value)
    {
        var rt = PromiseRuntime.Current;
        if (!_full)
        {
            while (_readers.TryDequeue(out var reader))
            {
                var r = reader.Underlying();
                if (r._state == Promise<T>.StatePending)
                {
                    r.FulfillCore(value, rt, allowDefer: true);
                    return Promise.Unit;
                }
            }

            _value = value;
            _full = true;
            return Promise.Unit;
        }

        var p = new Promise<Unit> { _cancelable = true };
        WaiterQueue.EnqueuePruning(_writers, (value, p), static w => w.Item2.IsPending, ref _writersPruneAt);
        return p;
    }

    /// <summary>
    /// Takes the value (Lwt <c>Lwt_mvar.take</c>): a fulfilled promise when full (the first queued writer's value then
    /// moves in and that writer is woken); else a cancelable promise fulfilled by the next put.
    /// </summary>
    public Promise<T> Take()
    {
        var (has, value) = TakeAvailable();
        if (has)
        {
            return Promise.FromResult(value);
        }

        var p = new Promise<T> { _cancelable = true };
        WaiterQueue.EnqueuePruning(_readers, p, static r => r.IsPending, ref _readersPruneAt);
        return p;
    }

    /// <summary>Takes the value if there is one, without waiting (Lwt <c>Lwt_mvar.take_available</c>).</summary>
    public (bool HasValue, T Value) TakeAvailable()
    {
        if (!_full)
        {
            return (false, default!);
        }

        var value = _value;
        _value = default!;
        _full = false;
        var rt = PromiseRuntime.Current;
        while (_writers.TryDequeue(out var writer))
        {
            var w = writer.Promise.Underlying();
            if (w._state == Promise<Unit>.StatePending)
            {
                _value = writer.Value;
                _full = true;
                w.FulfillCore(default, rt, allowDefer: true);
                break;
            }
        }

        return (true, value);
    }
}
