namespace Bridge.Promises;

/// <summary>The result of a pending <see cref="Promise{T}.Bind{TResult}"/>, doubling as its callback node (one allocation per bind).</summary>
internal sealed class BindNode<T, TResult> : LinkedPromise<TResult>, ICallback<T>
{
    private Func<T, Promise<TResult>>? _f;
    private StorageMap? _storage;
    internal ICallback<T>? _next;

    internal BindNode(Func<T, Promise<TResult>> f, StorageMap? storage, Promise<T> source)
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
            Promise<TResult>? r;
            try
            {
                r = f(source._value);
            }
            catch (Exception e)
            {
                TryReject(e, rt);
                return;
            }

            Connect(r, rt);
        }
        else
        {
            _storage = null;
            TryReject((Exception)source._ref!, rt);
        }
    }
}
