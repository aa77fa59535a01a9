namespace Bridge.Fibers;

/// <summary>
/// The writing end of a <see cref="FiberPromise{T}"/> (Eio's <c>Promise.u</c>). Thread-safe; resolving never switches fibers.
/// </summary>
/// <typeparam name="T">The value type.</typeparam>
public sealed class FiberResolver<T>
{
    internal FiberResolver(FiberPromise<T> promise)
    {
        Promise = promise;
    }

    /// <summary>The promise this resolver completes.</summary>
    public FiberPromise<T> Promise { get; }

    /// <summary>Fulfils the promise and wakes its waiters (Eio <c>Promise.resolve</c> / <c>resolve_ok</c>).</summary>
    /// <exception cref="InvalidOperationException">Already resolved.</exception>
    public void Resolve(T value)
    {
        if (!Promise.TryComplete(value, null))
        {
            throw new InvalidOperationException("Can't resolve already-resolved promise");
        }
    }

    /// <summary>Rejects the promise: awaiters rethrow <paramref name="error"/> (Eio <c>Promise.resolve_error</c>).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="error"/> is null.</exception>
    /// <exception cref="InvalidOperationException">Already resolved.</exception>
    public void Reject(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (!Promise.TryComplete(default!, error))
        {
            throw new InvalidOperationException("Can't resolve already-resolved promise");
        }
    }

    /// <summary>Fulfils the promise unless already resolved (Eio <c>Promise.try_resolve</c>).</summary>
    /// <returns>False if it was already resolved.</returns>
    public bool TryResolve(T value) => Promise.TryComplete(value, null);

    /// <summary>Rejects the promise unless already resolved.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="error"/> is null.</exception>
    /// <returns>False if it was already resolved.</returns>
    public bool TryReject(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return Promise.TryComplete(default!, error);
    }
}
