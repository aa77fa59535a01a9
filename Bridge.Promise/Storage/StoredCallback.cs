namespace Bridge.Promises;

/// <summary>A callback function paired with the storage map captured when it was registered.</summary>
internal sealed class StoredCallback(Delegate function, StorageMap storage)
{
    internal Delegate Function { get; } = function;

    internal StorageMap Storage { get; } = storage;
}
