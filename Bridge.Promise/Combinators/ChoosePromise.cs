namespace Bridge.Promises;

/// <summary>
/// The result of a pending <c>choose</c>/<c>pick</c> (<paramref name="mode"/> 0/1), <c>nchoose</c>/<c>npick</c> (2/3)
/// or <c>nchoose_split</c> (4): one waiter registered on every input, fired by the first input to resolve.
/// </summary>
internal sealed class ChoosePromise<T, TResult>(Promise<T>[] inputs, int mode) : LinkedPromise<TResult>, IMultiWaiter<T>, ICallback<T>
{
    private ICallback<T>? _selfNext;

    internal const int ModeChoose = 0;
    internal const int ModePick = 1;
    internal const int ModeNChoose = 2;
    internal const int ModeNPick = 3;
    internal const int ModeNChooseSplit = 4;

    public bool Done { get; private set; }

    /// <summary>The result registers itself on the first input, saving one node; the others get entries.</summary>
    public ICallback<T>? Next
    {
        get => _selfNext;
        set => _selfNext = value;
    }

    public void Invoke(Promise<T> source, PromiseRuntime rt)
    {
        if (!Done)
        {
            OnInputResolved(source, 0, rt);
        }
    }

    internal void Attach()
    {
        _edge = inputs;
        inputs[0].Underlying().AddCallback(this);
        for (int i = 1; i < inputs.Length; i++)
        {
            inputs[i].Underlying().AddCallback(new MultiEntry<T>(this));
        }
    }

    public void OnInputResolved(Promise<T> source, int index, PromiseRuntime rt)
    {
        Done = true;
        _edge = null;

        // Unlink our own node from the first input when it is still at the head of its list (the usual case for a
        // long-lived first input such as a stop signal), so repeated choices do not pile up there.
        var first = inputs[0].Underlying();
        if (first._state == StatePending && ReferenceEquals(first._ref, this))
        {
            first._ref = _selfNext;
        }

        switch (mode)
        {
            case ModeChoose:
                ((Promise<T>)(object)this).TryCompleteFrom(source, rt);
                return;
            case ModePick:
                CancelAll(inputs);
                ((Promise<T>)(object)this).TryCompleteFrom(source, rt);
                return;
        }

        // n-variants: collect what is resolved right now, in input order; the first rejection wins.
        var values = new List<T>();
        var stillPending = new List<Promise<T>>();
        Exception? error = null;
        foreach (var input in inputs)
        {
            var p = input.Underlying();
            if (p._state == StateFulfilled)
            {
                values.Add(p._value);
            }
            else if (p._state == StateRejected)
            {
                error = (Exception)p._ref!;
                break;
            }
            else
            {
                stillPending.Add(input);
            }
        }

        if (mode == ModeNPick)
        {
            CancelAll(inputs);
        }

        if (error is not null)
        {
            TryReject(error, rt);
        }
        else if (mode == ModeNChooseSplit)
        {
            object split = ((IReadOnlyList<T>)values, (IReadOnlyList<Promise<T>>)stillPending);
            TryFulfill((TResult)split, rt);
        }
        else
        {
            TryFulfill((TResult)(object)values, rt);
        }
    }

    internal static void CancelAll(Promise<T>[] inputs)
    {
        foreach (var p in inputs)
        {
            p.Cancel();
        }
    }
}
