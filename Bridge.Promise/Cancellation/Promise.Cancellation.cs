namespace Bridge.Promises;

public static partial class Promise
{
    /// <summary>
    /// Returns a cancelable promise that mirrors <paramref name="promise"/>; canceling it rejects only it and detaches it
    /// from <paramref name="promise"/>, which is untouched (Lwt <c>Lwt.protected</c>). An already resolved input is
    /// returned as is.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="promise"/> is null.</exception>
    public static Promise<T> Protected<T>(Promise<T> promise)
    {
        ArgumentNullException.ThrowIfNull(promise);
        var p = promise.Underlying();
        if (p._state != Promise<T>.StatePending)
        {
            return promise;
        }

        var mirror = new MirrorWaiter<T>(cancelable: true, cancelSource: null);
        p.AddCallback(new MultiEntry<T>(mirror));
        mirror.Result.OnCancelInternal(mirror.Detach);
        return mirror.Result;
    }

    /// <summary>
    /// Returns a non-cancelable promise that mirrors <paramref name="promise"/>: canceling it does nothing (it still
    /// becomes canceled if <paramref name="promise"/> is canceled another way) (Lwt <c>Lwt.no_cancel</c>). An already
    /// resolved input is returned as is.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="promise"/> is null.</exception>
    public static Promise<T> NoCancel<T>(Promise<T> promise)
    {
        ArgumentNullException.ThrowIfNull(promise);
        var p = promise.Underlying();
        if (p._state != Promise<T>.StatePending)
        {
            return promise;
        }

        var mirror = new MirrorWaiter<T>(cancelable: false, cancelSource: null);
        p.AddCallback(new MultiEntry<T>(mirror));
        return mirror.Result;
    }

    /// <summary>
    /// Returns a cancelable promise that mirrors <paramref name="promise"/>; canceling it rejects it and also cancels
    /// <paramref name="promise"/> (which may do nothing if that one is not cancelable) (Lwt <c>Lwt.wrap_in_cancelable</c>).
    /// An already resolved input is returned as is.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="promise"/> is null.</exception>
    public static Promise<T> WrapInCancelable<T>(Promise<T> promise)
    {
        ArgumentNullException.ThrowIfNull(promise);
        var p = promise.Underlying();
        if (p._state != Promise<T>.StatePending)
        {
            return promise;
        }

        var mirror = new MirrorWaiter<T>(cancelable: true, cancelSource: promise);
        p.AddCallback(new MultiEntry<T>(mirror));
        mirror.Result.OnCancelInternal(mirror.CancelSource);
        return mirror.Result;
    }
}
