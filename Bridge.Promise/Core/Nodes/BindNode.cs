namespace Bridge.Promises;

/// <summary>
/// The result of a pending <see cref="Promise{T}.Bind{TResult}"/>, doubling as its callback node (one allocation per
/// bind). It has no link field: it is the whole list of a source with no other callbacks (the usual case), and is
/// wrapped in a <see cref="CallbackLink{T}"/> when it must point at older nodes.
/// </summary>
internal sealed class BindNode<T, TResult> : LinkedPromise<TResult>, ICallback<T>, ITailOnlyCallback
{
    // The function, or a StoredCallback pairing it with a captured storage map (keeps the node at one object, 48 B for ints).
    private object? _f;

    internal BindNode(Func<T, Promise<TResult>> f, StorageMap? storage, Promise<T> source)
    {
        _f = storage is null ? f : new StoredCallback(f, storage);
        _edge = source;
    }

    public ICallback<T>? Next
    {
        get => null;
        set
        {
            if (value is not null)
            {
                throw new InvalidOperationException("A bind node cannot be linked; wrap it in a CallbackLink.");
            }
        }
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
