namespace Bridge.Promises;

/// <summary>Creates <see cref="PromiseStream{T}"/>s (the constructors of Lwt's <c>Lwt_stream</c>).</summary>
public static class PromiseStream
{
    /// <summary>
    /// A push stream and its pusher (Lwt <c>Lwt_stream.create</c>): <see cref="PromiseStreamPusher{T}.Push"/> appends
    /// and wakes a waiting reader, <see cref="PromiseStreamPusher{T}.Close"/> ends the stream.
    /// </summary>
    public static (PromiseStream<T> Stream, PromiseStreamPusher<T> Push) Create<T>()
    {
        var source = new StreamSource<T>();
        return (new PromiseStream<T>(source, source.Last), new PromiseStreamPusher<T>(source));
    }

    /// <summary>
    /// A bounded push stream holding at most <paramref name="size"/> unread elements, and its pusher (Lwt
    /// <c>Lwt_stream.create_bounded</c>): pushing into a full stream waits until a reader makes room.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is negative.</exception>
    public static (PromiseStream<T> Stream, PromiseBoundedPusher<T> Push) CreateBounded<T>(int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        var source = new StreamSource<T> { Bounded = true, Size = size };
        return (new PromiseStream<T>(source, source.Last), new PromiseBoundedPusher<T>(source));
    }

    /// <summary>
    /// A stream fed by <paramref name="generator"/>, called whenever a reader needs an element; <c>(false, _)</c> ends
    /// the stream (Lwt <c>Lwt_stream.from</c>). Concurrent readers share one pending call. A failed call rejects the
    /// reads waiting on it and leaves the stream open.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="generator"/> is null.</exception>
    public static PromiseStream<T> From<T>(Func<Promise<(bool HasValue, T Value)>> generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        var source = new StreamSource<T> { Generator = generator };
        return new PromiseStream<T>(source, source.Last);
    }

    /// <summary>A stream of the elements of <paramref name="items"/>, enumerated lazily as readers need them (Lwt <c>Lwt_stream.of_seq</c>/<c>of_list</c>).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="items"/> is null.</exception>
    public static PromiseStream<T> OfEnumerable<T>(IEnumerable<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        IEnumerator<T>? enumerator = null;
        return From(() =>
        {
            enumerator ??= items.GetEnumerator();
            if (enumerator.MoveNext())
            {
                return Promise.FromResult((true, enumerator.Current));
            }

            enumerator.Dispose();
            return Promise.FromResult((false, default(T)!));
        });
    }
}
