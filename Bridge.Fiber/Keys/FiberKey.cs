namespace Bridge.Fibers;

/// <summary>
/// A fiber-local variable key (Eio <c>Fiber.create_key</c>). Bind it for the extent of a call with
/// <c>Fiber.WithBinding</c>, read it with <c>Fiber.Get</c>.
/// Forked fibers see the bindings of the fiber that forked them, as they were at fork time; bindings do not cross
/// <see cref="DomainManager.Run{T}(Func{ValueTask{T}})"/>.
/// </summary>
/// <typeparam name="T">The value type.</typeparam>
public sealed class FiberKey<T>
{
    /// <summary>Creates a key; <paramref name="name"/> is for debugging.</summary>
    public FiberKey(string? name = null)
    {
        Name = name;
    }

    /// <summary>The debugging name given at creation.</summary>
    public string? Name { get; }

    /// <summary>The name, or a generic description.</summary>
    public override string ToString() => Name ?? $"FiberKey<{typeof(T).Name}>";
}
