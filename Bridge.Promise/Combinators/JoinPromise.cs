namespace Bridge.Promises;

/// <summary>The result of a pending <see cref="Promise.Join(IEnumerable{Promise{Unit}})"/>: waits for every input, keeps the first known rejection.</summary>
internal sealed class JoinPromise : LinkedPromise<Unit>, IMultiWaiter<Unit>
{
    private int _pending;
    private Exception? _error;

    internal JoinPromise(IPromiseNode[] inputs, int pending, Exception? error)
    {
        _edge = inputs;
        _pending = pending;
        _error = error;
    }

    public bool Done => _pending == 0;

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
