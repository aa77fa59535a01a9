namespace Bridge.Promises;

/// <summary>What feeds a stream and the queue its clones share (Lwt_stream's <c>source</c> and <c>last</c>).</summary>
internal sealed class StreamSource<T>
{
    internal StreamNode<T> Last = new();
    internal bool Closed;
    internal readonly Promise<Unit> ClosedPromise = new();

    // push sources: readers waiting for data, served in FIFO order when data arrives (Lwt's push_signal + wakeup_later).
    private readonly Queue<(PromiseStream<T> Stream, Promise<(bool HasValue, T Value)> Promise, bool Peek)> _waiters = new();
    private int _pruneAt = WaiterQueue.MinPruneAt;
    private bool _waking;
    private bool _wakeAgain;

    // from sources
    internal Func<Promise<(bool HasValue, T Value)>>? Generator;
    private Promise<Unit>? _inflight;

    // bounded push sources
    internal bool Bounded;
    internal int Size;
    internal int Count;
    internal bool HasPending;
    internal T PendingValue = default!;
    internal Promise<Unit>? PendingPromise;

    internal void Append(T value)
    {
        var last = Last;
        last.Value = value;
        var next = new StreamNode<T>();
        last.Next = next;
        Last = next;
        if (Bounded)
        {
            Count++;
        }
    }

    internal void CloseCore()
    {
        if (Closed)
        {
            return;
        }

        Closed = true;
        var last = Last;
        last.IsEnd = true;
        var rt = PromiseRuntime.Current;
        ClosedPromise.TryFulfill(default, rt);
        WakeReaders();
    }

    internal void AddWaiter(PromiseStream<T> stream, Promise<(bool HasValue, T Value)> promise, bool peek) =>
        WaiterQueue.EnqueuePruning(_waiters, (stream, promise, peek), static w => w.Item2.IsPending, ref _pruneAt);

    /// <summary>Hands newly available data (or the end) to waiting readers; their callbacks are deferred like <c>wakeup_later</c>.</summary>
    internal void WakeReaders()
    {
        if (_waiters.Count == 0)
        {
            return;
        }

        if (_waking)
        {
            _wakeAgain = true;
            return;
        }

        _waking = true;
        var rt = PromiseRuntime.Current;
        try
        {
            do
            {
                _wakeAgain = false;
                for (int n = _waiters.Count; n > 0 && _waiters.TryDequeue(out var w); n--)
                {
                    var p = w.Promise.Underlying();
                    if (p._state != Promise<(bool, T)>.StatePending)
                    {
                        continue; // canceled while waiting
                    }

                    if (w.Stream.TryTake(w.Peek, out var item))
                    {
                        p.FulfillCore(item, rt, allowDefer: true);
                    }
                    else
                    {
                        _waiters.Enqueue(w);
                    }
                }
            }
            while (_wakeAgain && _waiters.Count > 0);
        }
        finally
        {
            _waking = false;
        }
    }

    /// <summary>A promise resolved when more data may be available (or the feed failed).</summary>
    internal Promise<Unit> Feed()
    {
        if (Generator is { } generator)
        {
            if (_inflight is null)
            {
                var call = Promise.Apply(generator);
                Promise<Unit>? mapped = null;
                mapped = call.TryBind(
                    item =>
                    {
                        if (ReferenceEquals(_inflight, mapped))
                        {
                            _inflight = null;
                        }

                        if (item.HasValue)
                        {
                            Append(item.Value);
                        }
                        else
                        {
                            CloseCore();
                        }

                        return Promise.Unit;
                    },
                    e =>
                    {
                        if (ReferenceEquals(_inflight, mapped))
                        {
                            _inflight = null;
                        }

                        return Promise.FromException<Unit>(e);
                    });
                if (mapped.IsPending)
                {
                    _inflight = mapped;
                }
                else
                {
                    return mapped;
                }
            }

            return Promise.Protected(_inflight);
        }

        return Promise.Unit;
    }

    /// <summary>Moves a blocked bounded push into the queue and releases its pusher (Lwt uses wakeup_later).</summary>
    internal void PromoteBlocked()
    {
        if (!HasPending)
        {
            return;
        }

        var value = PendingValue;
        var pusher = PendingPromise!;
        HasPending = false;
        PendingValue = default!;
        PendingPromise = null;
        Append(value);
        var p = pusher.Underlying();
        if (p._state == Promise<Unit>.StatePending)
        {
            p.FulfillCore(default, PromiseRuntime.Current, allowDefer: true);
        }

        WakeReaders();
    }

    /// <summary>Bookkeeping after a reader consumed an element of a bounded stream.</summary>
    internal void Consumed()
    {
        if (Bounded)
        {
            Count--;
            if (HasPending && Count < Size)
            {
                PromoteBlocked();
            }
        }
    }
}
