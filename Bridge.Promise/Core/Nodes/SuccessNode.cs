namespace Bridge.Promises;

/// <summary>An <c>on_success</c> callback (a smaller node than <see cref="ActionNode{T}"/> for the common case).</summary>
internal sealed class SuccessNode<T>(Action<T> f, StorageMap? storage) : ICallback<T>
{
    public ICallback<T>? Next { get; set; }

    public void Invoke(Promise<T> source, PromiseRuntime rt)
    {
        if (source._state == Promise<T>.StateFulfilled)
        {
            rt.Storage = storage;
            Promise.InvokeGuarded(f, source._value);
        }
    }
}
