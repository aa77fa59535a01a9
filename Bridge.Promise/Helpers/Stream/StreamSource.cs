namespace Bridge.Promises;

/// <summary>One cell of a stream's shared queue (Lwt_stream's <c>node</c>): the last cell is an empty placeholder.</summary>
internal sealed class StreamNode<T>
{
    internal T Value = default!;
    internal bool IsEnd;
    internal StreamNode<T>? Next;
}

/// <summary>What feeds a stream and the queue its clones share (Lwt_stream's <c>source</c> and <c>last</c>).</summary>
internal sealed class StreamSource<T>
{
    internal StreamNode<T> Last = new();
    internal bool Closed;
    internal readonly Promise<Unit> ClosedPromise = new();

    // push sources: readers wait on this signal (Lwt's push_signal), resolved with wakeup_later on push.
    private Promise<Unit>? _signal;

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

    internal void WakeReaders()
    {
        var signal = _signal;
        if (signal is not null)
        {
            _signal = null;
            var p = signal.Underlying();
            if (p._state == Promise<Unit>.StatePending)
            {
                p.FulfillCore(default, PromiseRuntime.Current, allowDefer: true);
            }
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

        if (Bounded && HasPending)
        {
            PromoteBlocked();
            return Promise.Unit;
        }

        return _signal ??= new Promise<Unit>();
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
