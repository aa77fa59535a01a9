namespace Bridge.Promises;

/// <summary>The result of a pending <see cref="Promise.All{T}(IEnumerable{Promise{T}})"/>: values in input order, first known rejection wins.</summary>
internal sealed class AllPromise<T> : LinkedPromise<IReadOnlyList<T>>, IMultiWaiter<T>, ICallback<T>
{
    private ICallback<T>? _selfNext;
    internal int SelfIndex;
    private readonly T[] _values;
    private int _pending;
    private Exception? _error;

    internal AllPromise(IPromiseNode[] inputs, T[] values, int pending, Exception? error)
    {
        _edge = inputs;
        _values = values;
        _pending = pending;
        _error = error;
    }

    public bool Done => _pending == 0;

    /// <summary>The result registers itself as the first pending input's callback, saving one node.</summary>
    public ICallback<T>? Next
    {
        get => _selfNext;
        set => _selfNext = value;
    }

    public void Invoke(Promise<T> source, PromiseRuntime rt) => OnInputResolved(source, SelfIndex, rt);

    public void OnInputResolved(Promise<T> source, int index, PromiseRuntime rt)
    {
        if (source._state == StateRejected)
        {
            _error ??= (Exception)source._ref!;
        }
        else
        {
            _values[index] = source._value;
        }

        if (--_pending == 0)
        {
            _edge = null;
            if (_error is null)
            {
                TryFulfill(_values, rt);
            }
            else
            {
                TryReject(_error, rt);
            }
        }
    }
}

/// <summary>An <see cref="Promise.All{T}(IEnumerable{Promise{T}})"/> input's callback node: the input's index and a direct call into the result.</summary>
internal sealed class AllEntry<T>(AllPromise<T> all, int index) : ICallback<T>
{
    public ICallback<T>? Next { get; set; }

    public void Invoke(Promise<T> source, PromiseRuntime rt)
    {
        if (!all.Done)
        {
            all.OnInputResolved(source, index, rt);
        }
    }
}
