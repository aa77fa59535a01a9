namespace Bridge.Promises;

/// <summary>The push side of a stream made by <see cref="PromiseStream.Create{T}"/> (Lwt's <c>push</c> function).</summary>
/// <typeparam name="T">The element type.</typeparam>
public sealed class PromiseStreamPusher<T>
{
    private readonly StreamSource<T> _source;

    internal PromiseStreamPusher(StreamSource<T> source)
    {
        _source = source;
    }

    /// <summary>True once <see cref="Close"/> was called.</summary>
    public bool IsClosed => _source.Closed;

    /// <summary>Appends <paramref name="value"/> and wakes a waiting reader (Lwt <c>push (Some x)</c>).</summary>
    /// <exception cref="InvalidOperationException">The stream is closed (Lwt <c>Lwt_stream.Closed</c>).</exception>
    public void Push(T value)
    {
        if (_source.Closed)
        {
            throw new InvalidOperationException("Cannot push into a closed stream (Lwt_stream.Closed).");
        }

        _source.Append(value);
        _source.WakeReaders();
    }

    /// <summary>Ends the stream; readers see the end after the elements already pushed (Lwt <c>push None</c>). Idempotent.</summary>
    public void Close() => _source.CloseCore();
}
