namespace Bridge.Promises;

/// <summary>The result of a pending <see cref="Promise{T}.TryBind{TResult}"/>, doubling as its callback node.</summary>
internal sealed class TryBindNode<T, TResult> : LinkedPromise<TResult>, ICallback<T>
{
    private Func<T, Promise<TResult>>? _onFulfilled;
    private Func<Exception, Promise<TResult>>? _onRejected;
    private StorageMap? _storage;
    internal ICallback<T>? _next;

    internal TryBindNode(Func<T, Promise<TResult>> onFulfilled, Func<Exception, Promise<TResult>> onRejected, StorageMap? storage, Promise<T> source)
    {
        _onFulfilled = onFulfilled;
        _onRejected = onRejected;
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
        var g = _onFulfilled!;
        var h = _onRejected!;
        _onFulfilled = null;
        _onRejected = null;
        rt.Storage = _storage;
        _storage = null;
        Promise<TResult>? r;
        try
        {
            r = source._state == StateFulfilled ? g(source._value) : h((Exception)source._ref!);
        }
        catch (Exception e)
        {
            TryReject(e, rt);
            return;
        }

        Connect(r, rt);
    }
}
