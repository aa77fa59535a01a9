using System.Runtime.ExceptionServices;

namespace Bridge.Fibers;

/// <summary>
/// A node of the cancellation tree (Eio's <c>Cancel.t</c>): every fiber is in exactly one context; cancelling a context
/// marks it and its non-protected descendants as cancelling, then calls the cancel hook of each suspended fiber in them.
/// Loop thread only.
/// </summary>
internal sealed class CancelContext
{
    // Children as an intrusive doubly-linked list: a switch with many live sub-contexts (one per forked fiber's own
    // Switch.Run or Cancel.Sub) must detach each in O(1) when it finishes, not by a linear List.Remove.
    private CancelContext? _firstChild;
    private CancelContext? _lastChild;
    private CancelContext? _prevSibling;
    private CancelContext? _nextSibling;
    private bool _attached;
    private FiberContext? _fibers; // intrusive doubly-linked list through FiberContext.PrevInContext/NextInContext
    private FiberContext? _fibersTail;
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

    /// <summary>Appends <paramref name="fiber"/>: cancellation visits a context's fibers in the order they joined it (Eio's <c>add_r</c>).</summary>
    public void AddFiber(FiberContext fiber)
    {
        fiber.NextInContext = null;
        fiber.PrevInContext = _fibersTail;
        if (_fibersTail is not null)
        {
            _fibersTail.NextInContext = fiber;
        }
        else
        {
            _fibers = fiber;
        }

        _fibersTail = fiber;
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
        else
        {
            return; // not in this context
        }

        if (fiber.NextInContext is not null)
        {
            fiber.NextInContext.PrevInContext = fiber.PrevInContext;
        }
        else
        {
            _fibersTail = fiber.PrevInContext;
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
        List<Exception>? failures = null;
        foreach (var (fiber, callback) in hooks)
        {
            try
            {
                // One exception per fiber: each fiber throws it through its own frames, and a shared instance would
                // accumulate every fiber's stack trace (quadratic when thousands of waiters are cancelled at once).
                if (fiber is not null)
                {
                    fiber.CancelWait(new CancelledException(reason));
                }
                else
                {
                    callback!(new CancelledException(reason));
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

    /// <summary>Fiber descriptions for deadlock messages.</summary>
    public IEnumerable<FiberContext> Fibers()
    {
        for (var fiber = _fibers; fiber is not null; fiber = fiber.NextInContext)
        {
            yield return fiber;
        }

        for (var child = _firstChild; child is not null; child = child._nextSibling)
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
