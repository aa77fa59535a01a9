namespace Bridge.Promises;

/// <summary>The result of a pending <see cref="Promise.Both{T1, T2}"/>: waits for both, first known rejection wins.</summary>
internal sealed class BothPromise<T1, T2> : LinkedPromise<(T1, T2)>
{
    private T1 _first = default!;
    private T2 _second = default!;
    private int _pending;
    private Exception? _error;

    internal BothPromise(Promise<T1> first, Promise<T2> second)
    {
        _edge = new IPromiseNode[] { first, second };
    }

    internal static Promise<(T1, T2)> Start(Promise<T1> a, Promise<T2> b)
    {
        var pa = a.Underlying();
        var pb = b.Underlying();
        if (pa._state != StatePending && pb._state != StatePending)
        {
            if (pa._state == StateRejected)
            {
                return new Promise<(T1, T2)>((Exception)pa._ref!);
            }

            return pb._state == StateRejected
                ? new Promise<(T1, T2)>((Exception)pb._ref!)
                : new Promise<(T1, T2)>((pa._value, pb._value));
        }

        var res = new BothPromise<T1, T2>(a, b);
        if (pa._state == StatePending)
        {
            res._pending++;
            pa.AddCallback(new MultiEntry<T1>(new Left(res)));
        }
        else if (pa._state == StateRejected)
        {
            res._error = (Exception)pa._ref!;
        }
        else
        {
            res._first = pa._value;
        }

        if (pb._state == StatePending)
        {
            res._pending++;
            pb.AddCallback(new MultiEntry<T2>(new Right(res)));
        }
        else if (pb._state == StateRejected)
        {
            res._error ??= (Exception)pb._ref!;
        }
        else
        {
            res._second = pb._value;
        }

        return res;
    }

    private void Arrived(Exception? error, PromiseRuntime rt)
    {
        if (error is not null)
        {
            _error ??= error;
        }

        if (--_pending == 0)
        {
            _edge = null;
            if (_error is null)
            {
                TryFulfill((_first, _second), rt);
            }
            else
            {
                TryReject(_error, rt);
            }
        }
    }

    private sealed class Left(BothPromise<T1, T2> owner) : IMultiWaiter<T1>
    {
        public bool Done => false;

        public void OnInputResolved(Promise<T1> source, int index, PromiseRuntime rt)
        {
            if (source._state == StateFulfilled)
            {
                owner._first = source._value;
                owner.Arrived(null, rt);
            }
            else
            {
                owner.Arrived((Exception)source._ref!, rt);
            }
        }
    }

    private sealed class Right(BothPromise<T1, T2> owner) : IMultiWaiter<T2>
    {
        public bool Done => false;

        public void OnInputResolved(Promise<T2> source, int index, PromiseRuntime rt)
        {
            if (source._state == StateFulfilled)
            {
                owner._second = source._value;
                owner.Arrived(null, rt);
            }
            else
            {
                owner.Arrived((Exception)source._ref!, rt);
            }
        }
    }
}
