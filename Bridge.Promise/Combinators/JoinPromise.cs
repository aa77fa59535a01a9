namespace Bridge.Promises;

/// <summary>The result of a pending <see cref="Promise.Join(IEnumerable{Promise{Unit}})"/>: waits for every input, keeps the first known rejection.</summary>
internal sealed class JoinPromise : LinkedPromise<Unit>, IMultiWaiter<Unit>, ICallback<Unit>
{
    private ICallback<Unit>? _selfNext;
    private int _pending;
    private Exception? _error;

    internal JoinPromise(IPromiseNode[] inputs, int pending, Exception? error)
    {
        _edge = inputs;
        _pending = pending;
        _error = error;
    }

    public bool Done => _pending == 0;

    /// <summary>The join registers itself as the first pending input's callback, saving one node.</summary>
    public ICallback<Unit>? Next
    {
        get => _selfNext;
        set => _selfNext = value;
    }

    public void Invoke(Promise<Unit> source, PromiseRuntime rt) => OnInputResolved(source, 0, rt);

    public void OnInputResolved(Promise<Unit> source, int index, PromiseRuntime rt)
    {
        if (source._state == StateRejected)
        {
            _error ??= (Exception)source._ref!;
        }

        if (--_pending == 0)
        {
            _edge = null;
            if (_error is null)
            {
                TryFulfill(default, rt);
            }
            else
            {
                TryReject(_error, rt);
            }
        }
    }
}

/// <summary>A join input's callback node: a direct call into the join (no index, no interface hop; 32 B).</summary>
internal sealed class JoinEntry(JoinPromise join) : ICallback<Unit>
{
    public ICallback<Unit>? Next { get; set; }

    public void Invoke(Promise<Unit> source, PromiseRuntime rt)
    {
        if (!join.Done)
        {
            join.OnInputResolved(source, 0, rt);
        }
    }
}
