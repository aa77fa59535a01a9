namespace Bridge.Fibers;

/// <summary>Creates fiber promises (Eio <c>Promise.create</c> / <c>create_resolved</c>).</summary>
public static class FiberPromise
{
    /// <summary>A new pending promise and its resolver (Eio <c>Promise.create ?label ()</c>).</summary>
    public static (FiberPromise<T> Promise, FiberResolver<T> Resolver) Create<T>(string? label = null)
    {
        var promise = new FiberPromise<T>(label);
        return (promise, new FiberResolver<T>(promise));
    }

    /// <summary>A promise already fulfilled with <paramref name="value"/> (Eio <c>Promise.create_resolved</c>).</summary>
    public static FiberPromise<T> FromResult<T>(T value)
    {
        var promise = new FiberPromise<T>(null);
        promise.TryComplete(value, null);
        return promise;
    }

    /// <summary>A promise already rejected with <paramref name="error"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="error"/> is null.</exception>
    public static FiberPromise<T> FromException<T>(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var promise = new FiberPromise<T>(null);
        promise.TryComplete(default!, error);
        return promise;
    }
}
