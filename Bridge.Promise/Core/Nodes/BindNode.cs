namespace Bridge.Promises;

/// <summary>The result of a pending <see cref="Promise{T}.Bind{TResult}"/>, doubling as its callback node (one allocation per bind).</summary>
internal sealed class BindNode<T, TResult> : LinkedPromise<TResult>, ICallback<T>
{
    // The function, or a StoredCallback pairing it with a captured storage map (keeps the node at one object, 56 B for ints).
    private object? _f;
    internal ICallback<T>? _next;

    internal BindNode(Func<T, Promise<TResult>> f, StorageMap? storage, Promise<T> source)
    {
        _f = storage is null ? f : new StoredCallback(f, storage);
        _edge = source;
    }

    public ICallback<T>? Next
    {
        get => _next;
        set => _next = value;
    }

    public void Invoke(Promise<T> source, PromiseRuntime rt)
    {
        var fn = _f!;
        _f = null;
        if (source._state == StateFulfilled)
        {
            Func<T, Promise<TResult>> f;
            if (fn is Func<T, Promise<TResult>> plain)
            {
                f = plain;
                rt.Storage = null;
            }
            else
            {
                var stored = (StoredCallback)fn;
                f = (Func<T, Promise<TResult>>)stored.Function;
                rt.Storage = stored.Storage;
            }

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
            TryReject((Exception)source._ref!, rt);
        }
    }
}
