namespace Bridge.Promises;

/// <summary>
/// A key for sequence-associated storage (Lwt <c>'a Lwt.key</c>, made by <c>Lwt.new_key</c>). Read it with
/// <see cref="Promise.Get{T}"/>, bind it with <see cref="Promise.WithValue{TKey, TResult}"/>. Every callback-registering
/// function captures the current bindings at registration and restores them around the callback.
/// </summary>
/// <typeparam name="T">The value type.</typeparam>
public sealed class PromiseKey<T>
{
    /// <summary>Creates a fresh key, initially unbound (Lwt <c>Lwt.new_key ()</c>).</summary>
    /// <param name="name">An optional name for diagnostics.</param>
    public PromiseKey(string? name = null)
    {
        Name = name;
    }

    /// <summary>The name given at creation, if any.</summary>
    public string? Name { get; }

    /// <summary>The key's name, or a generic description.</summary>
    public override string ToString() => Name ?? $"PromiseKey<{typeof(T).Name}>";
}
