namespace Bridge.Promises;

/// <summary>
/// Lwt's sequence-associated storage map: immutable, newest binding first. A binding with
/// <see cref="Removed"/> set hides older bindings of the same key (Lwt's <c>with_value k None</c>).
/// </summary>
internal sealed class StorageMap(object key, object? value, bool removed, StorageMap? next)
{
    internal object Key { get; } = key;

    internal object? Value { get; } = value;

    internal bool Removed { get; } = removed;

    internal StorageMap? Next { get; } = next;

    internal static bool TryGet(StorageMap? map, object key, out object? value)
    {
        for (var node = map; node is not null; node = node.Next)
        {
            if (ReferenceEquals(node.Key, key))
            {
                value = node.Value;
                return !node.Removed;
            }
        }

        value = null;
        return false;
    }
}
