namespace Bridge.Promises;

/// <summary>
/// The result of a pending two-input <c>choose</c>/<c>pick</c>: the same machine as <see cref="ChoosePromise{T, TResult}"/>
/// in modes 0/1, with the inputs held in fields, so no input array is allocated unless a cancellation search asks for
/// the edge.
/// </summary>
internal sealed class ChooseTwoPromise<T> : LinkedPromise<T>, IMultiWaiter<T>, ICallback<T>
{
    /// <summary>Stands in <see cref="LinkedPromise{T}._edge"/> for "both inputs" while pending.</summary>
    private static readonly object s_bothInputs = new();

    private readonly Promise<T> _first;
    private readonly Promise<T> _second;
    private readonly bool _pick;
    private ICallback<T>? _selfNext;

    internal ChooseTwoPromise(Promise<T> first, Promise<T> second, bool pick)
    {
        _first = first;
        _second = second;
        _pick = pick;
        _edge = s_bothInputs;
    }

    public bool Done { get; private set; }

    /// <summary>The result registers itself on the first input, saving one node; the second gets an entry.</summary>
    public ICallback<T>? Next
    {
        get => _selfNext;
        set => _selfNext = value;
    }

    internal override object? GetCancelEdge()
    {
        var edge = _edge;
        return ReferenceEquals(edge, s_bothInputs) ? new IPromiseNode[] { _first, _second } : edge;
    }

    internal void Attach()
    {
        _first.Underlying().AddCallback(this);
        _second.Underlying().AddCallback(new MultiEntry<T>(this));
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
        if (first._state == StatePending && ReferenceEquals(first._ref, this))
        {
            first._ref = _selfNext;
        }

        if (_pick)
        {
            _first.Cancel();
            _second.Cancel();
        }

        TryCompleteFrom(source, rt);
    }
}
