namespace Bridge.Promises;

/// <summary>
/// The result of a pending two-input <c>choose</c>/<c>pick</c>: the same machine as <see cref="ChoosePromise{T, TResult}"/>
/// in modes 0/1, with the inputs held in fields, so no input array is allocated unless a cancellation search asks for
/// the edge.
/// </summary>
/// <remarks>
/// The result is its own callback node on both inputs, with no link field (<see cref="ITailOnlyCallback"/>): the whole
/// list of an input with no other callbacks, else carried by a <see cref="CallbackLink{T}"/>. Once done it counts as a
/// dead node that the next registration on that input drops when it is at the head (see <see cref="Promise{T}.TakeHeadForAdd"/>).
/// </remarks>
internal sealed class ChooseTwoPromise<T> : LinkedPromise<T>, IMultiWaiter<T>, ICallback<T>, ITailOnlyCallback
{
    /// <summary>Stands in <see cref="LinkedPromise{T}._edge"/> for "both inputs" while pending.</summary>
    private static readonly object s_bothInputs = new();

    private readonly Promise<T> _first;
    private readonly Promise<T> _second;
    private readonly bool _pick;

    internal ChooseTwoPromise(Promise<T> first, Promise<T> second, bool pick)
    {
        _first = first;
        _second = second;
        _pick = pick;
        _edge = s_bothInputs;
    }

    public bool Done { get; private set; }

    /// <summary>Always null (see the type remarks).</summary>
    public ICallback<T>? Next
    {
        get => null;
        set
        {
            if (value is not null)
            {
                throw new InvalidOperationException("A choice node cannot be linked; wrap it in a CallbackLink.");
            }
        }
    }

    internal override object? GetCancelEdge()
    {
        var edge = _edge;
        return ReferenceEquals(edge, s_bothInputs) ? new IPromiseNode[] { _first, _second } : edge;
    }

    internal void Attach()
    {
        _first.Underlying().AddTailOnly(this);
        _second.Underlying().AddTailOnly(this);
    }

    public void Invoke(Promise<T> source, PromiseRuntime rt)
    {
        if (!Done)
        {
            OnInputResolved(source, 0, rt);
        }
    }

    public void OnInputResolved(Promise<T> source, int index, PromiseRuntime rt)
    {
        Done = true;
        _edge = null;

        // As ChoosePromise: unlink our own node from the first input when it is still at the head of its list.
        var first = _first.Underlying();
        if (first._state == StatePending)
        {
            var head = first._ref;
            if (ReferenceEquals(head, this))
            {
                first._ref = null;
            }
            else if (head is CallbackLink<T> link && ReferenceEquals(link.Inner, this))
            {
                first._ref = link.Next;
            }
        }

        if (_pick)
        {
            _first.Cancel();
            _second.Cancel();
        }

        TryCompleteFrom(source, rt);
    }
}
