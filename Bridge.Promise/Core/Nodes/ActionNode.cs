namespace Bridge.Promises;

/// <summary>An <c>on_success</c>/<c>on_failure</c>/<c>on_termination</c>/<c>on_any</c> callback.</summary>
internal sealed class ActionNode<T>(Action<T>? onFulfilled, Action<Exception>? onRejected, Action? onTermination, StorageMap? storage)
    : ICallback<T>
{
    public ICallback<T>? Next { get; set; }

    public void Invoke(Promise<T> source, PromiseRuntime rt)
    {
        rt.Storage = storage;
        if (source._state == Promise<T>.StateFulfilled)
        {
            if (onFulfilled is not null)
            {
                Promise.InvokeGuarded(onFulfilled, source._value);
            }
            else if (onTermination is not null)
            {
                Promise.InvokeGuarded(onTermination);
            }
        }
        else if (onRejected is not null)
        {
            Promise.InvokeGuarded(onRejected, (Exception)source._ref!);
        }
        else if (onTermination is not null)
        {
            Promise.InvokeGuarded(onTermination);
        }
    }
}
