namespace Bridge.Promises;

public static partial class Promise
{
    /// <summary>
    /// The value bound to <paramref name="key"/> in the current storage, or <c>default</c> when unbound
    /// (Lwt <c>Lwt.get</c>, whose <c>None</c> is <c>default</c> here; use <see cref="TryGet{T}"/> to tell them apart).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    public static T? Get<T>(PromiseKey<T> key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return StorageMap.TryGet(PromiseRuntime.Current.Storage, key, out var value) ? (T?)value : default;
    }

    /// <summary>Whether <paramref name="key"/> is bound in the current storage, and its value (Lwt <c>Lwt.get</c>).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    public static bool TryGet<T>(PromiseKey<T> key, out T value)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (StorageMap.TryGet(PromiseRuntime.Current.Storage, key, out var boxed))
        {
            value = (T)boxed!;
            return true;
        }

        value = default!;
        return false;
    }

    /// <summary>
    /// Runs <paramref name="f"/> with <paramref name="key"/> bound to <paramref name="value"/>, restoring the previous
    /// storage afterwards, also on exception (Lwt <c>Lwt.with_value key (Some value) f</c>). Callbacks registered
    /// inside <paramref name="f"/> capture the binding and see it when they run.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> or <paramref name="f"/> is null.</exception>
    public static TResult WithValue<TKey, TResult>(PromiseKey<TKey> key, TKey value, Func<TResult> f)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(f);
        return WithStorage(key, value, false, f);
    }

    /// <summary>
    /// Runs <paramref name="f"/> with <paramref name="key"/> unbound, restoring the previous storage afterwards
    /// (Lwt <c>Lwt.with_value key None f</c>).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> or <paramref name="f"/> is null.</exception>
    public static TResult WithoutValue<TKey, TResult>(PromiseKey<TKey> key, Func<TResult> f)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(f);
        return WithStorage(key, default, true, f);
    }

    private static TResult WithStorage<TKey, TResult>(PromiseKey<TKey> key, TKey? value, bool removed, Func<TResult> f)
    {
        var rt = PromiseRuntime.Current;
        var saved = rt.Storage;
        rt.Storage = new StorageMap(key, value, removed, saved);
        try
        {
            return f();
        }
        finally
        {
            rt.Storage = saved;
        }
    }
}
