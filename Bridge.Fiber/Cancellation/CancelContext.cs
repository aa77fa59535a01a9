using System.Runtime.ExceptionServices;

namespace Bridge.Fibers;

/// <summary>
/// A node of the cancellation tree (Eio's <c>Cancel.t</c>): every fiber is in exactly one context; cancelling a context
/// marks it and its non-protected descendants as cancelling, then calls the cancel hook of each suspended fiber in them.
/// Loop thread only.
/// </summary>
internal sealed class CancelContext
{
    // Children in creation order, as an intrusive doubly-linked list: a Sub or Switch leaving its parent is O(1) even
    // when the parent has many (a List's Remove made many concurrent Cancel.Sub calls quadratic).
    private CancelContext? _firstChild;
    private CancelContext? _lastChild;
    private CancelContext? _prevSibling;
    private CancelContext? _nextSibling;
    private bool _attached;
    private FiberContext? _fibers; // intrusive doubly-linked list through FiberContext.PrevInContext/NextInContext
    private List<Action<CancelledException>>? _callbacks;

    public CancelContext(FiberRuntime runtime, CancelContext? parent, bool isProtected, string purpose)
    {
        Runtime = runtime;
        Parent = parent;
        IsProtected = isProtected;
        Purpose = purpose;
        if (parent is not null)
        {
            parent.AttachChild(this);
            if (!isProtected && parent.Reason is not null)
            {
                Reason = parent.Reason;
            }
        }
    }

    public FiberRuntime Runtime { get; }

    public CancelContext? Parent { get; }

    public bool IsProtected { get; }

    public string Purpose { get; }

    /// <summary>Why the context is cancelling; null while it is on.</summary>
    public Exception? Reason { get; private set; }

    public bool IsCancelling => Reason is not null;

    public bool IsFinished { get; private set; }

    /// <summary>Eio <c>Cancel.check</c>: throw if cancelling (or finished).</summary>
    public void Check()
    {
        if (Reason is not null)
        {
            throw new CancelledException(Reason);
        }

        if (IsFinished)
        {
            throw new InvalidOperationException("Cancellation context finished");
        }
    }

    /// <summary>Registers a callback run (without switching fibers) when this context is cancelled.</summary>
    public IDisposable OnCancel(Action<CancelledException> callback)
    {
        (_callbacks ??= []).Add(callback);
        return new CallbackRemoval(this, callback);
    }

    public void AddFiber(FiberContext fiber)
    {
        fiber.PrevInContext = null;
        fiber.NextInContext = _fibers;
        if (_fibers is not null)
        {
            _fibers.PrevInContext = fiber;
        }

        _fibers = fiber;
    }

    public void RemoveFiber(FiberContext fiber)
    {
        if (fiber.PrevInContext is not null)
        {
            fiber.PrevInContext.NextInContext = fiber.NextInContext;
        }
        else if (_fibers == fiber)
        {
            _fibers = fiber.NextInContext;
        }

        if (fiber.NextInContext is not null)
        {
            fiber.NextInContext.PrevInContext = fiber.PrevInContext;
        }

        fiber.PrevInContext = fiber.NextInContext = null;
    }

    /// <summary>Marks the context finished and detaches it from its parent (the context of a returned Sub/Switch).</summary>
    public void Finish()
    {
        IsFinished = true;
        Parent?.DetachChild(this);
    }

    /// <summary>
    /// Eio <c>Cancel.cancel</c>: a no-op when already cancelling; otherwise marks this subtree (stopping at protected
    /// contexts), then calls every suspended fiber's cancel hook — deeper contexts first — and the context callbacks.
    /// All are called even if some throw; the failures are rethrown together afterwards.
    /// </summary>
    public void Cancel(Exception reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        Runtime.CheckThread("Cancel");
        if (Reason is not null)
        {
            return;
        }

        var hooks = new List<(FiberContext? Fiber, Action<CancelledException>? Callback)>();
        Mark(this, reason, hooks);
        var error = new CancelledException(reason);
        List<Exception>? failures = null;
        foreach (var (fiber, callback) in hooks)
        {
            try
            {
                if (fiber is not null)
                {
                    fiber.CancelWait(error);
                }
                else
                {
                    callback!(error);
                }
            }
            catch (Exception e)
            {
                (failures ??= []).Add(e);
            }
        }

        if (failures is { Count: 1 })
        {
            ExceptionDispatchInfo.Throw(failures[0]);
        }
        else if (failures is not null)
        {
            throw new AggregateException("Cancel hooks failed", failures);
        }
    }

    private void AttachChild(CancelContext child)
    {
        child._prevSibling = _lastChild;
        child._nextSibling = null;
        if (_lastChild is null)
        {
            _firstChild = child;
        }
        else
        {
            _lastChild._nextSibling = child;
        }

        _lastChild = child;
        child._attached = true;
    }

    private void DetachChild(CancelContext child)
    {
        if (!child._attached)
        {
            return;
        }

        if (child._prevSibling is null)
        {
            _firstChild = child._nextSibling;
        }
        else
        {
            child._prevSibling._nextSibling = child._nextSibling;
        }

        if (child._nextSibling is null)
        {
            _lastChild = child._prevSibling;
        }
        else
        {
            child._nextSibling._prevSibling = child._prevSibling;
        }

        child._prevSibling = child._nextSibling = null;
        child._attached = false;
    }

    private static void Mark(CancelContext context, Exception reason, List<(FiberContext?, Action<CancelledException>?)> hooks)
    {
        context.Reason = reason;
        for (var child = context._firstChild; child is not null; child = child._nextSibling)
        {
            if (!child.IsProtected && child.Reason is null)
            {
                Mark(child, reason, hooks);
            }
        }

        for (var fiber = context._fibers; fiber is not null; fiber = fiber.NextInContext)
        {
            if (fiber.HasCancelHook)
            {
                hooks.Add((fiber, null));
            }
        }

        if (context._callbacks is not null)
        {
            foreach (var callback in context._callbacks)
            {
                hooks.Add((null, callback));
            }
        }
    }

    /// <summary>Fiber descriptions for deadlock messages.</summary>
    public IEnumerable<FiberContext> Fibers()
    {
        for (var fiber = _fibers; fiber is not null; fiber = fiber.NextInContext)
        {
            yield return fiber;
        }

        var children = new List<CancelContext>();
        for (var child = _firstChild; child is not null; child = child._nextSibling)
        {
            children.Add(child);
        }

        foreach (var child in children)
        {
            foreach (var fiber in child.Fibers())
            {
                yield return fiber;
            }
        }
    }

    private sealed class CallbackRemoval(CancelContext context, Action<CancelledException> callback) : IDisposable
    {
        public void Dispose() => context._callbacks?.Remove(callback);
    }
}
