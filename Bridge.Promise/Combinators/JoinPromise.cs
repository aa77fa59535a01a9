namespace Bridge.Promises;

/// <summary>The result of a pending <see cref="Promise.Join(IEnumerable{Promise{Unit}})"/>: waits for every input, keeps the first known rejection.</summary>
/// <remarks>
/// The join is its own callback node on every input, with no link field (<see cref="ITailOnlyCallback"/>): it is the
/// whole list of each input that has no other callbacks, and is carried by a <see cref="CallbackLink{T}"/> on inputs
/// that already have some. Inputs need no index, so one object serves them all.
/// </remarks>
internal sealed class JoinPromise : LinkedPromise<Unit>, IMultiWaiter<Unit>, ICallback<Unit>, ITailOnlyCallback
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

    /// <summary>Always null: the join node has no link of its own (see the type remarks).</summary>
    public ICallback<Unit>? Next
    {
        get => null;
        set
        {
            if (value is not null)
            {
                throw new InvalidOperationException("A join node cannot be linked; wrap it in a CallbackLink.");
            }
        }
    }

    public void Invoke(Promise<Unit> source, PromiseRuntime rt)
    {
        if (_pending != 0)
        {
            OnInputResolved(source, 0, rt);
        }
    }

    /// <summary>Registers the join on one pending (underlying) input.</summary>
    internal void AttachTo(Promise<Unit> input)
    {
        var head = input.TakeHeadForAdd();
        input._ref = head is null ? this : new CallbackLink<Unit>(this, head);
    }

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

