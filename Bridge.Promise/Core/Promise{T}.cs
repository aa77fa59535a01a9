using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace Bridge.Promises;

/// <summary>
/// A promise: a cell that is pending, then fulfilled with a value or rejected with an exception, exactly once
/// (Lwt's <c>'a Lwt.t</c>). Its write side is <see cref="Resolver{T}"/>; the static <see cref="Promise"/> class creates
/// promises and holds the combinators.
/// </summary>
/// <remarks>
/// <para>Semantics are Lwt 6's: callbacks run synchronously on the resolver's stack, the last registered first
/// (cancel callbacks before regular ones); <see cref="Bind{TResult}"/> on a resolved promise calls its function at
/// once; a promise returned from a pending bind's function becomes a proxy of the bind's result; cancellation is a
/// backward search followed by ordinary forward rejection with <see cref="PromiseCanceledException"/>.</para>
/// <para><b>Stack safety (the one intentional divergence from Lwt).</b> .NET cannot catch a stack overflow, so each
/// thread keeps a budget of nested synchronous promise calls (callback batches and immediate binds, about 384 deep,
/// with <see cref="RuntimeHelpers.TryEnsureSufficientExecutionStack"/> checked every 16 levels as a backstop).
/// Below the budget Lwt's exact order holds. Beyond it, a callback batch or an immediate bind is queued and run by the
/// outermost promise call on the thread before that call returns, so a 10 000 000-long recursive bind chain or a
/// 1 000 000-long resolution cascade completes instead of crashing. A bind function deferred this way that throws
/// rejects the bind's result instead of throwing out of <see cref="Bind{TResult}"/>.</para>
/// <para>Promises are single-threaded: use them on the event-loop thread (or on the thread that owns them before a
/// loop runs). Deliver results from other threads with <see cref="Promise.RunInMain{T}(Func{Promise{T}})"/> or
/// <c>EventLoop.Post</c>.</para>
/// </remarks>
/// <typeparam name="T">The value type.</typeparam>
[DebuggerDisplay("{DebuggerText,nq}")]
public partial class Promise<T> : IPromiseNode
{
    internal const byte StatePending = 0;
    internal const byte StateFulfilled = 1;
    internal const byte StateRejected = 2;
    internal const byte StateProxy = 3;

    internal byte _state;
    internal bool _cancelable;
    internal T _value = default!;

    /// <summary>Pending: the callback list head (<see cref="ICallback{T}"/>); rejected: the exception; proxy: the target promise.</summary>
    internal object? _ref;

    internal Promise()
    {
    }

    internal Promise(T value)
    {
        _state = StateFulfilled;
        _value = value;
    }

    internal Promise(Exception error)
    {
        _state = StateRejected;
        _ref = error;
    }

    /// <summary>The current state, following proxies (Lwt <c>Lwt.state</c>).</summary>
    public PromiseState State => Underlying()._state switch
    {
        StateFulfilled => PromiseState.Fulfilled,
        StateRejected => PromiseState.Rejected,
        _ => PromiseState.Pending,
    };

    /// <summary>True while the promise is pending (Lwt <c>Lwt.is_sleeping</c>).</summary>
    public bool IsPending => Underlying()._state == StatePending;

    /// <summary>True when the promise was rejected with <see cref="PromiseCanceledException"/>.</summary>
    public bool IsCanceled
    {
        get
        {
            var p = Underlying();
            return p._state == StateRejected && p._ref is PromiseCanceledException;
        }
    }

    /// <summary>The value of a fulfilled promise (Lwt <c>Lwt.state</c>'s <c>Return v</c>).</summary>
    /// <exception cref="InvalidOperationException">The promise is pending or rejected (the rejection is the inner exception).</exception>
    public T Result
    {
        get
        {
            var p = Underlying();
            return p._state == StateFulfilled ? p._value : throw NotFulfilled(p);
        }
    }

    /// <summary>The exception of a rejected promise, or null when pending or fulfilled (Lwt <c>Fail exn</c>).</summary>
    public Exception? Error
    {
        get
        {
            var p = Underlying();
            return p._state == StateRejected ? (Exception)p._ref! : null;
        }
    }

    private string DebuggerText => Underlying()._state switch
    {
        StateFulfilled => $"Fulfilled: {Underlying()._value}",
        StateRejected => $"Rejected: {Error!.GetType().Name}",
        _ => "Pending",
    };

    /// <summary>
    /// Calls <paramref name="f"/> with the value once this promise is fulfilled, and returns a promise that behaves as
    /// the promise <paramref name="f"/> returns (Lwt <c>Lwt.bind</c>, <c>&gt;&gt;=</c>, <c>let*</c>).
    /// </summary>
    /// <remarks>
    /// Already fulfilled: <paramref name="f"/> is called now and its promise itself is returned; an exception it throws
    /// propagates out of <c>Bind</c> (Lwt's bind quirk). Already rejected: a new promise with the same exception.
    /// Pending: a new pending promise whose cancellation goes to this one; when <paramref name="f"/> later throws, the
    /// result is rejected; when it returns a pending promise, that promise becomes a proxy of the result. Beyond the
    /// per-thread depth budget the call of <paramref name="f"/> is trampolined (see the type remarks).
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> is null.</exception>
    public Promise<TResult> Bind<TResult>(Func<T, Promise<TResult>> f)
    {
        if (f is null)
        {
            ThrowNull(nameof(f));
        }

        var p = _state == StateProxy ? Underlying() : this;
        var rt = PromiseRuntime.Current;
        switch (p._state)
        {
            case StateFulfilled:
                if (rt.MustTrampoline())
                {
                    return TrampolineNode<TResult>(p, new BindNode<T, TResult>(f, rt.Storage, p), rt);
                }

                rt.StackDepth++;
                try
                {
                    return f(p._value) ?? throw Promise.NullPromise(nameof(Bind));
                }
                finally
                {
                    rt.ExitCall();
                }

            case StateRejected:
                return new Promise<TResult>((Exception)p._ref!);
            default:
                var node = new BindNode<T, TResult>(f, rt.Storage, p);
                var head = p.TakeHeadForAdd();
                p._ref = head is null ? node : new CallbackLink<T>(node, head);
                return node;
        }
    }

    /// <summary>
    /// Returns a promise fulfilled with <paramref name="f"/> applied to this promise's value (Lwt <c>Lwt.map</c>,
    /// <c>&gt;|=</c>, <c>let+</c>). Unlike <see cref="Bind{TResult}"/>, an exception thrown by <paramref name="f"/>
    /// always becomes a rejection, even when this promise is already fulfilled.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> is null.</exception>
    public Promise<TResult> Map<TResult>(Func<T, TResult> f)
    {
        if (f is null)
        {
            ThrowNull(nameof(f));
        }

        var p = _state == StateProxy ? Underlying() : this;
        switch (p._state)
        {
            case StateFulfilled:
                try
                {
                    return new Promise<TResult>(f(p._value));
                }
                catch (Exception e)
                {
                    return new Promise<TResult>(e);
                }

            case StateRejected:
                return new Promise<TResult>((Exception)p._ref!);
            default:
                var node = new MapNode<T, TResult>(f, PromiseRuntime.Current.Storage, p);
                node._next = p.TakeHeadForAdd();
                p._ref = node;
                return node;
        }
    }

    /// <summary>
    /// Handles a rejection: returns a promise that behaves as this one when it is fulfilled, and as the promise
    /// <paramref name="handler"/> returns when it is rejected (Lwt <c>Lwt.catch (fun () -&gt; p) h</c>).
    /// </summary>
    /// <remarks>
    /// Already fulfilled: returns this promise itself. Already rejected: calls <paramref name="handler"/> now; an
    /// exception it throws propagates (Lwt's quirk). Pending: a new promise (cancellation goes to this one); a later
    /// throw from <paramref name="handler"/> becomes a rejection. A <see cref="PromiseCanceledException"/> is handed to
    /// the handler like any other exception.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is null.</exception>
    public Promise<T> Catch(Func<Exception, Promise<T>> handler)
    {
        if (handler is null)
        {
            ThrowNull(nameof(handler));
        }

        var p = _state == StateProxy ? Underlying() : this;
        var rt = PromiseRuntime.Current;
        switch (p._state)
        {
            case StateFulfilled:
                return this;
            case StateRejected:
                if (rt.MustTrampoline())
                {
                    return TrampolineNode<T>(p, new CatchNode<T>(handler, rt.Storage, p), rt);
                }

                rt.StackDepth++;
                try
                {
                    return handler((Exception)p._ref!) ?? throw Promise.NullPromise(nameof(Catch));
                }
                finally
                {
                    rt.ExitCall();
                }

            default:
                var node = new CatchNode<T>(handler, rt.Storage, p);
                node._next = p.TakeHeadForAdd();
                p._ref = node;
                return node;
        }
    }

    /// <summary>
    /// Calls <paramref name="onFulfilled"/> or <paramref name="onRejected"/> when this promise resolves and returns a
    /// promise that behaves as the one the chosen function returns (Lwt <c>Lwt.try_bind (fun () -&gt; p) f h</c>).
    /// Already resolved: the function is called now and its exception propagates (Lwt's quirk).
    /// </summary>
    /// <exception cref="ArgumentNullException">A function is null.</exception>
    public Promise<TResult> TryBind<TResult>(Func<T, Promise<TResult>> onFulfilled, Func<Exception, Promise<TResult>> onRejected)
    {
        if (onFulfilled is null)
        {
            ThrowNull(nameof(onFulfilled));
        }

        if (onRejected is null)
        {
            ThrowNull(nameof(onRejected));
        }

        var p = _state == StateProxy ? Underlying() : this;
        var rt = PromiseRuntime.Current;
        if (p._state == StatePending)
        {
            var node = new TryBindNode<T, TResult>(onFulfilled, onRejected, rt.Storage, p);
            node._next = p.TakeHeadForAdd();
            p._ref = node;
            return node;
        }

        if (rt.MustTrampoline())
        {
            return TrampolineNode<TResult>(p, new TryBindNode<T, TResult>(onFulfilled, onRejected, rt.Storage, p), rt);
        }

        rt.StackDepth++;
        try
        {
            var r = p._state == StateFulfilled ? onFulfilled(p._value) : onRejected((Exception)p._ref!);
            return r ?? throw Promise.NullPromise(nameof(TryBind));
        }
        finally
        {
            rt.ExitCall();
        }
    }

    /// <summary>
    /// Runs <paramref name="cleanup"/> after this promise resolves either way, waits for the cleanup's promise, then
    /// forwards this promise's outcome; a failing cleanup's exception replaces it (Lwt <c>Lwt.finalize</c>).
    /// Already resolved: <paramref name="cleanup"/> is called now and a synchronous throw propagates.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="cleanup"/> is null.</exception>
    public Promise<T> Finally(Func<Promise<Unit>> cleanup)
    {
        if (cleanup is null)
        {
            ThrowNull(nameof(cleanup));
        }

        return TryBind(
            v => (cleanup() ?? throw Promise.NullPromise(nameof(Finally))).Bind(_ => new Promise<T>(v)),
            e => (cleanup() ?? throw Promise.NullPromise(nameof(Finally))).Bind(_ => new Promise<T>(e)));
    }

    /// <summary>
    /// Calls <paramref name="f"/> with the value when this promise is fulfilled (now if it already is); never on
    /// rejection (Lwt <c>Lwt.on_success</c>). An exception from <paramref name="f"/> goes to
    /// <see cref="Promise.AsyncExceptionHook"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> is null.</exception>
    public void OnSuccess(Action<T> f)
    {
        if (f is null)
        {
            ThrowNull(nameof(f));
        }

        var p = Underlying();
        if (p._state == StatePending)
        {
            p.AddTailOnly(new SuccessNode<T>(f, PromiseRuntime.Current.Storage));
        }
        else if (p._state == StateFulfilled)
        {
            Promise.InvokeGuarded(f, p._value);
        }
    }

    /// <summary>
    /// Calls <paramref name="f"/> with the exception when this promise is rejected (including cancellation), now if it
    /// already is (Lwt <c>Lwt.on_failure</c>). An exception from <paramref name="f"/> goes to
    /// <see cref="Promise.AsyncExceptionHook"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> is null.</exception>
    public void OnFailure(Action<Exception> f)
    {
        if (f is null)
        {
            ThrowNull(nameof(f));
        }

        OnAnyCore(null, f, null);
    }

    /// <summary>
    /// Calls <paramref name="f"/> when this promise resolves either way, now if it already has (Lwt
    /// <c>Lwt.on_termination</c>). An exception from <paramref name="f"/> goes to <see cref="Promise.AsyncExceptionHook"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> is null.</exception>
    public void OnTermination(Action f)
    {
        if (f is null)
        {
            ThrowNull(nameof(f));
        }

        OnAnyCore(null, null, f);
    }

    /// <summary>
    /// Calls <paramref name="onFulfilled"/> or <paramref name="onRejected"/> when this promise resolves, now if it already
    /// has (Lwt <c>Lwt.on_any</c>). Exceptions from either go to <see cref="Promise.AsyncExceptionHook"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException">A function is null.</exception>
    public void OnAny(Action<T> onFulfilled, Action<Exception> onRejected)
    {
        if (onFulfilled is null)
        {
            ThrowNull(nameof(onFulfilled));
        }

        if (onRejected is null)
        {
            ThrowNull(nameof(onRejected));
        }

        OnAnyCore(onFulfilled, onRejected, null);
    }

    /// <summary>
    /// Registers a cancel callback (Lwt <c>Lwt.on_cancel</c>): <paramref name="f"/> runs when this promise is rejected
    /// with <see cref="PromiseCanceledException"/> by any route, before the promise's regular callbacks; at once if it
    /// already is; never if it resolves otherwise. An exception from <paramref name="f"/> goes to
    /// <see cref="Promise.AsyncExceptionHook"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> is null.</exception>
    public void OnCancel(Action f)
    {
        if (f is null)
        {
            ThrowNull(nameof(f));
        }

        var p = Underlying();
        switch (p._state)
        {
            case StatePending:
                p.AddCallback(new CancelNode<T>(f, PromiseRuntime.Current.Storage));
                break;
            case StateRejected when p._ref is PromiseCanceledException:
                Promise.InvokeGuarded(f);
                break;
        }
    }

    /// <summary>
    /// Cancels the promise (Lwt <c>Lwt.cancel</c>): walks back along the current dependency edges (bind sources,
    /// combinator inputs) and rejects every reachable pending cancelable promise (<see cref="Promise.CreateCancelable{T}"/>,
    /// <see cref="Promise.Protected{T}"/>, <see cref="Promise.Pause"/>, <see cref="Promise.Sleep"/>, …) with
    /// <see cref="PromiseCanceledException"/>, then runs their callbacks, which propagate the rejection forward. Does
    /// nothing on a resolved promise or one that depends only on non-cancelable promises.
    /// </summary>
    public void Cancel() => CancelSearch.Cancel(this);

    /// <summary>Gets an awaiter so that <c>await promise</c> works in any async method; the continuation is queued on the loop, never run inside <see cref="Resolver{T}.Resolve"/>.</summary>
    public PromiseAwaiter<T> GetAwaiter() => new(this);

    // ---------------------------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------------------------

    /// <summary>Follows proxies to the promise that holds the state, compressing the path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal Promise<T> Underlying() => _state != StateProxy ? this : FollowProxies();

    [MethodImpl(MethodImplOptions.NoInlining)]
    private Promise<T> FollowProxies()
    {
        var root = this;
        while (root._state == StateProxy)
        {
            root = Unsafe.As<Promise<T>>(root._ref!);
        }

        var p = this;
        while (p._state == StateProxy)
        {
            var next = Unsafe.As<Promise<T>>(p._ref!);
            p._ref = root;
            p = next;
        }

        return root;
    }

    /// <summary>How cancellation of this promise proceeds (Lwt <c>how_to_cancel</c>).</summary>
    internal virtual object? GetCancelEdge() => _cancelable ? CancelSearch.CancelThis : null;

    /// <summary>The list head of a pending promise, with dead removable nodes dropped (the cleanup throttle's job).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ICallback<T>? TakeHeadForAdd()
    {
        var head = Unsafe.As<ICallback<T>?>(_ref);
        if (head is not null && IsDead(head))
        {
            head = DropDead(head);
        }

        return head;
    }

    /// <summary>True for a node whose shared waiter has fired (Lwt's cleared removable cell).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsDead(ICallback<T> node) =>
        node is MultiEntry<T> { IsDead: true } or ChooseTwoPromise<T> { Done: true } or CallbackLink<T> { Inner: ChooseTwoPromise<T> { Done: true } };

    private static ICallback<T>? DropDead(ICallback<T>? head)
    {
        while (head is not null && IsDead(head))
        {
            head = head.Next;
        }

        return head;
    }

    /// <summary>Prepends a callback to a pending (underlying) promise.</summary>
    internal void AddCallback(ICallback<T> node)
    {
        node.Next = TakeHeadForAdd();
        _ref = node;
    }

    /// <summary>Prepends a node without a link field (<see cref="ITailOnlyCallback"/>), wrapping it when the list is not empty.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void AddTailOnly(ICallback<T> node)
    {
        var head = TakeHeadForAdd();
        _ref = head is null ? node : new CallbackLink<T>(node, head);
    }

    /// <summary>Appends another list after this pending promise's list (proxy merge: ours run first).</summary>
    internal void AppendCallbacks(ICallback<T>? other)
    {
        if (other is null)
        {
            return;
        }

        var head = Unsafe.As<ICallback<T>?>(_ref);
        if (head is null)
        {
            _ref = other;
            return;
        }

        ICallback<T>? prev = null;
        var tail = head;
        while (tail.Next is { } next)
        {
            prev = tail;
            tail = next;
        }

        if (tail is ITailOnlyCallback)
        {
            var link = new CallbackLink<T>(tail, other);
            if (prev is null)
            {
                _ref = link;
            }
            else
            {
                prev.Next = link;
            }
        }
        else
        {
            tail.Next = other;
        }
    }

    /// <summary>Fulfils this pending underlying promise and runs its callbacks now (nested).</summary>
    internal void FulfillCore(T value, PromiseRuntime rt, bool allowDefer = false)
    {
        var head = _ref;
        _value = value;
        _ref = null;
        _state = StateFulfilled;
        if (head is not null)
        {
            RunCallbacks(Unsafe.As<ICallback<T>>(head), rt, allowDefer);
        }
    }

    /// <summary>Rejects this pending underlying promise and runs its callbacks now (nested).</summary>
    internal void RejectCore(Exception error, PromiseRuntime rt, bool allowDefer = false)
    {
        var head = _ref;
        _ref = error;
        _state = StateRejected;
        if (head is not null)
        {
            RunCallbacks(Unsafe.As<ICallback<T>>(head), rt, allowDefer);
        }
    }

    /// <summary>Internal resolution: ignored when the target is no longer pending (e.g. it was canceled).</summary>
    internal void TryFulfill(T value, PromiseRuntime rt)
    {
        var p = Underlying();
        if (p._state == StatePending)
        {
            p.FulfillCore(value, rt);
        }
    }

    /// <summary>Internal rejection: ignored when the target is no longer pending.</summary>
    internal void TryReject(Exception error, PromiseRuntime rt)
    {
        var p = Underlying();
        if (p._state == StatePending)
        {
            p.RejectCore(error, rt);
        }
    }

    /// <summary>Copies the outcome of the resolved <paramref name="source"/> into this promise if it is still pending.</summary>
    internal void TryCompleteFrom(Promise<T> source, PromiseRuntime rt)
    {
        var p = Underlying();
        if (p._state != StatePending)
        {
            return;
        }

        if (source._state == StateFulfilled)
        {
            p.FulfillCore(source._value, rt);
        }
        else
        {
            p.RejectCore((Exception)source._ref!, rt);
        }
    }

    /// <summary>Runs a resolved promise's callback list as one batch, or defers/trampolines it.</summary>
    internal void RunCallbacks(ICallback<T> head, PromiseRuntime rt, bool allowDefer)
    {
        if (allowDefer && rt.CallbackDepth > 0)
        {
            rt.Defer(new Deferred<T>(this, head));
            return;
        }

        if (rt.MustTrampoline())
        {
            rt.Trampoline(new Deferred<T>(this, head));
            return;
        }

        rt.EnterBatch();
        var saved = rt.Storage;
        try
        {
            InvokeList(head, rt);
        }
        finally
        {
            rt.Storage = saved;
            rt.ExitBatch();
        }
    }

    /// <summary>Runs the callbacks of this resolved promise: cancel callbacks first when it was canceled.</summary>
    internal void InvokeList(ICallback<T> head, PromiseRuntime rt)
    {
        if (_state == StateRejected && _ref is PromiseCanceledException)
        {
            for (ICallback<T>? n = head; n is not null;)
            {
                var next = n.Next;
                if (n is CancelNode<T>)
                {
                    n.Invoke(this, rt);
                }

                n = next;
            }

            for (ICallback<T>? n = head; n is not null;)
            {
                var next = n.Next;
                if (n is not CancelNode<T>)
                {
                    n.Invoke(this, rt);
                }

                n = next;
            }

            return;
        }

        for (ICallback<T>? n = head; n is not null;)
        {
            var next = n.Next;
            n.Invoke(this, rt);
            n = next;
        }
    }

    /// <summary>Queues a bind-family node whose function must not run nested any deeper.</summary>
    private static Promise<TResult> TrampolineNode<TResult>(Promise<T> source, ICallback<T> node, PromiseRuntime rt)
    {
        rt.Trampoline(new Deferred<T>(source, node));
        return Unsafe.As<Promise<TResult>>(node);
    }

    private void OnAnyCore(Action<T>? onFulfilled, Action<Exception>? onRejected, Action? onTermination)
    {
        var p = Underlying();
        switch (p._state)
        {
            case StateFulfilled:
                if (onFulfilled is not null)
                {
                    Promise.InvokeGuarded(onFulfilled, p._value);
                }
                else if (onTermination is not null)
                {
                    Promise.InvokeGuarded(onTermination);
                }

                break;
            case StateRejected:
                if (onRejected is not null)
                {
                    Promise.InvokeGuarded(onRejected, (Exception)p._ref!);
                }
                else if (onTermination is not null)
                {
                    Promise.InvokeGuarded(onTermination);
                }

                break;
            default:
                p.AddCallback(new ActionNode<T>(onFulfilled, onRejected, onTermination, PromiseRuntime.Current.Storage));
                break;
        }
    }

    /// <summary>Like <see cref="OnAny"/> but the functions are internal (never throw) and need not be guarded.</summary>
    internal void OnAnyInternal(Action<T>? onFulfilled, Action<Exception>? onRejected)
    {
        var p = Underlying();
        switch (p._state)
        {
            case StateFulfilled:
                onFulfilled?.Invoke(p._value);
                break;
            case StateRejected:
                onRejected?.Invoke((Exception)p._ref!);
                break;
            default:
                p.AddCallback(new ActionNode<T>(onFulfilled, onRejected, null, PromiseRuntime.Current.Storage));
                break;
        }
    }

    /// <summary>Registers an internal cancel callback (never throws, no storage capture).</summary>
    internal void OnCancelInternal(Action f)
    {
        var p = Underlying();
        if (p._state == StatePending)
        {
            p.AddCallback(new CancelNode<T>(f, null));
        }
        else if (p._state == StateRejected && p._ref is PromiseCanceledException)
        {
            f();
        }
    }

    bool IPromiseNode.NeedsCancelSearch()
    {
        var p = Underlying();
        return p._state == StatePending && p.GetCancelEdge() is not null;
    }

    void IPromiseNode.CancelStep(CancelSearch search)
    {
        var p = Underlying();
        if (p._state != StatePending || !search.Visit(p))
        {
            return;
        }

        var edge = p.GetCancelEdge();
        if (ReferenceEquals(edge, CancelSearch.CancelThis))
        {
            var head = p._ref;
            p._ref = search.Exception;
            p._state = StateRejected;
            p.OnCanceledBySearch();
            search.Collect(p, head);
        }
        else
        {
            search.Follow(edge);
        }
    }

    /// <summary>Hook for promises that must release something when canceled (timers, queue slots).</summary>
    internal virtual void OnCanceledBySearch()
    {
    }

    void IPromiseNode.RunCollected(object head) => RunCallbacks(Unsafe.As<ICallback<T>>(head), PromiseRuntime.Current, false);

    [DoesNotReturn]
    internal static void ThrowNull(string name) => throw new ArgumentNullException(name);

    private static InvalidOperationException NotFulfilled(Promise<T> p) => p._state == StateRejected
        ? new InvalidOperationException("The promise was rejected; see the inner exception (Lwt state: Fail).", (Exception)p._ref!)
        : new InvalidOperationException("The promise is still pending (Lwt state: Sleep).");

    /// <summary>Throws the rejection of a rejected promise, keeping its original stack trace.</summary>
    [DoesNotReturn]
    internal static void ThrowRejection(Exception e) => ExceptionDispatchInfo.Throw(e);
}
