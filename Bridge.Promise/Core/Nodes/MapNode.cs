namespace Bridge.Promises;

/// <summary>The result of a pending <see cref="Promise{T}.Map{TResult}"/>, doubling as its callback node.</summary>
internal sealed class MapNode<T, TResult> : LinkedPromise<TResult>, ICallback<T>
{
    private Func<T, TResult>? _f;
    private StorageMap? _storage;
    internal ICallback<T>? _next;

    internal MapNode(Func<T, TResult> f, StorageMap? storage, Promise<T> source)
    {
        _f = f;
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
        var f = _f!;
        _f = null;
        if (source._state == StateFulfilled)
        {
            rt.Storage = _storage;
            _storage = null;
            TResult v;
            try
            {
                v = f(source._value);
            }
            catch (Exception e)
            {
                TryReject(e, rt);
                return;
            }

            TryFulfill(v, rt);
        }
        else
        {
            _storage = null;
            TryReject((Exception)source._ref!, rt);
        }
    }
}
