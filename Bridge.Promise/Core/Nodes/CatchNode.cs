namespace Bridge.Promises;

/// <summary>The result of a pending <see cref="Promise{T}.Catch"/>, doubling as its callback node.</summary>
internal sealed class CatchNode<T> : LinkedPromise<T>, ICallback<T>
{
    private Func<Exception, Promise<T>>? _handler;
    private StorageMap? _storage;
    internal ICallback<T>? _next;

    internal CatchNode(Func<Exception, Promise<T>> handler, StorageMap? storage, Promise<T> source)
    {
        _handler = handler;
        _storage = storage;
        _edge = source;
    }

    public ICallback<T>? Next
    {
        get => _next;
        set => _next = value;
    }

    public void Invoke(Promise<T> source, PromiseRuntime rt)
    {
        var h = _handler!;
        _handler = null;
        if (source._state == StateFulfilled)
        {
            _storage = null;
            TryFulfill(source._value, rt);
            return;
        }

        rt.Storage = _storage;
        _storage = null;
        Promise<T>? r;
        try
        {
            r = h((Exception)source._ref!);
        }
        catch (Exception e)
        {
            TryReject(e, rt);
            return;
        }

        Connect(r, rt);
    }
}
