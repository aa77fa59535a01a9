namespace Bridge.Fibers;

/// <summary>
/// A fiber's immutable key→value map (Eio's per-fiber <c>Hmap</c>): a persistent list, so a fork copies it by reference
/// and <c>WithBinding</c> shadows a key without touching the parent's map.
/// </summary>
internal sealed class FiberBindings
{
    public static readonly FiberBindings Empty = new(null, null, null);

    private readonly object? _key;
    private readonly object? _value;
    private readonly FiberBindings? _next;

    private FiberBindings(object? key, object? value, FiberBindings? next)
    {
        _key = key;
        _value = value;
        _next = next;
    }

    public FiberBindings With(object key, object? value) => new(key, value, this);

    /// <summary>A binding to "absent" (Eio <c>without_binding</c>).</summary>
    public FiberBindings Without(object key) => new(key, Absent.Instance, this);

    public bool TryGet(object key, out object? value)
    {
        for (var node = this; node is not null && node._key is not null; node = node._next)
        {
            if (ReferenceEquals(node._key, key))
            {
                value = node._value;
                return value is not Absent;
            }
        }

        value = null;
        return false;
    }

    private sealed class Absent
    {
        public static readonly Absent Instance = new();
    }
}
