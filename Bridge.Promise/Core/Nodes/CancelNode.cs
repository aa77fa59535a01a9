namespace Bridge.Promises;

/// <summary>An <c>on_cancel</c> callback: runs only when the source was rejected with <see cref="PromiseCanceledException"/>.</summary>
internal sealed class CancelNode<T>(Action f, StorageMap? storage) : ICallback<T>
{
    public ICallback<T>? Next { get; set; }

    public void Invoke(Promise<T> source, PromiseRuntime rt)
    {
        if (source._state == Promise<T>.StateRejected && source._ref is PromiseCanceledException)
        {
            rt.Storage = storage;
            Promise.InvokeGuarded(f);
        }
    }
}
