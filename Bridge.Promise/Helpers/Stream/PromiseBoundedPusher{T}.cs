namespace Bridge.Promises;

/// <summary>The push side of a stream made by <see cref="PromiseStream.CreateBounded{T}"/> (Lwt's <c>bounded_push</c> object).</summary>
/// <typeparam name="T">The element type.</typeparam>
public sealed class PromiseBoundedPusher<T>
{
    private readonly StreamSource<T> _source;

    internal PromiseBoundedPusher(StreamSource<T> source)
    {
        _source = source;
    }

    /// <summary>The maximum number of unread elements (Lwt <c>#size</c>).</summary>
    public int Size => _source.Size;

    /// <summary>The number of unread elements queued (Lwt <c>#count</c>).</summary>
    public int Count => _source.Count;

    /// <summary>True while a push waits for room (Lwt <c>#blocked</c>).</summary>
    public bool Blocked => _source.HasPending;

    /// <summary>True once <see cref="Close"/> was called (Lwt <c>#closed</c>).</summary>
    public bool IsClosed => _source.Closed;

    /// <summary>
    /// Pushes <paramref name="value"/> (Lwt <c>#push</c>): with room, appends it and returns a fulfilled promise; when
    /// full, holds it as the blocked element and returns a cancelable promise fulfilled once a reader makes room
    /// (canceling it drops the element). A push while another is blocked is rejected with
    /// <see cref="InvalidOperationException"/> (Lwt <c>Full</c>); after <see cref="Close"/>, likewise (Lwt <c>Closed</c>).
    /// </summary>
    public Promise<Unit> Push(T value)
    {
        var source = _source;
        if (source.Closed)
        {
            return Promise.FromException<Unit>(new InvalidOperationException("Cannot push into a closed stream (Lwt_stream.Closed)."));
        }

        if (source.HasPending)
        {
            return Promise.FromException<Unit>(new InvalidOperationException("A push is already blocked on this bounded stream (Lwt_stream.Full)."));
        }

        if (source.Count < source.Size)
        {
            source.Append(value);
            source.WakeReaders();
            return Promise.Unit;
        }

        var (p, _) = Promise.CreateCancelable<Unit>();
        source.HasPending = true;
        source.PendingValue = value;
        source.PendingPromise = p;
        p.OnCancelInternal(() =>
        {
            if (ReferenceEquals(source.PendingPromise, p))
            {
                source.HasPending = false;
                source.PendingValue = default!;
                source.PendingPromise = null;
            }
        });
        source.WakeReaders();
        return p;
    }

    /// <summary>Changes the maximum number of unread elements (Lwt <c>#resize</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is negative.</exception>
    public void Resize(int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        _source.Size = size;
        if (_source.HasPending && _source.Count < size)
        {
            _source.PromoteBlocked();
            _source.WakeReaders();
        }
    }

    /// <summary>Ends the stream and rejects a blocked push with <see cref="InvalidOperationException"/> (Lwt <c>#close</c>).</summary>
    public void Close()
    {
        var source = _source;
        if (source.HasPending)
        {
            var blocked = source.PendingPromise!;
            source.HasPending = false;
            source.PendingValue = default!;
            source.PendingPromise = null;
            blocked.TryReject(new InvalidOperationException("The stream was closed while this push was blocked (Lwt_stream.Closed)."), PromiseRuntime.Current);
        }

        source.CloseCore();
    }
}
