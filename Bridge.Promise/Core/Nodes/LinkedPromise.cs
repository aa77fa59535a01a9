namespace Bridge.Promises;

/// <summary>
/// A promise with an explicit cancellation edge (Lwt's <c>Propagate_cancel_to_one</c>/<c>_several</c>, or an edge
/// inherited when a returned promise was merged into it). Bind-family results are linked promises, so they can be the
/// target of a proxy merge.
/// </summary>
internal abstract class LinkedPromise<T> : Promise<T>
{
    internal object? _edge;

    internal override object? GetCancelEdge() => _edge;

    /// <summary>
    /// Makes this promise (through its proxies) behave as <paramref name="inner"/>, the promise a bind function
    /// returned: copy its outcome when resolved, else turn it into a proxy of this one (Lwt <c>unify</c>/<c>make_into_proxy</c>).
    /// </summary>
    internal void Connect(Promise<T>? inner, PromiseRuntime rt)
    {
        var outer = Underlying();
        if (outer._state != StatePending)
        {
            return;
        }

        if (inner is null)
        {
            outer.RejectCore(Promise.NullPromise("a bind-family function"), rt);
            return;
        }

        inner = inner.Underlying();
        switch (inner._state)
        {
            case StateFulfilled:
                outer.FulfillCore(inner._value, rt);
                return;
            case StateRejected:
                outer.RejectCore((Exception)inner._ref!, rt);
                return;
        }

        if (ReferenceEquals(inner, outer))
        {
            return; // a cycle: stays pending forever, as in Lwt
        }

        var innerHead = inner._ref as ICallback<T>;
        var edge = inner.GetCancelEdge();
        inner._ref = outer;
        inner._state = StateProxy;
        if (inner is LinkedPromise<T> linked)
        {
            linked._edge = null;
        }

        ((LinkedPromise<T>)outer)._edge = edge;
        outer.AppendCallbacks(innerHead);
    }
}
