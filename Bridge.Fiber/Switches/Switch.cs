using System.Runtime.ExceptionServices;

namespace Bridge.Fibers;

/// <summary>
/// A group of fibers that finish together (Eio's <c>Switch</c>): <see cref="Run(Func{Switch, ValueTask}, string?)"/> returns
/// only when the body and every fiber forked onto the switch have finished and the release hooks have run. Each switch
/// has its own cancellation context; a failing fiber cancels its siblings and <c>Run</c> rethrows the original exception.
/// Loop thread only.
/// </summary>
public sealed class Switch : IFiberOwner
{
    private readonly List<Exception> _errors = [];
    private readonly List<Func<ValueTask>> _releaseHooks = [];
    private CancelledException? _cancelled;
    private FiberContext? _idleWaiter;
    private int _fibers = 1; // the body counts as one
    private int _daemonFibers;
    private bool _releasing;
    private CancellationTokenSource? _tokenSource;

    private Switch(CancelContext context, string? name)
    {
        Context = context;
        Name = name;
    }

    /// <summary>The name given to <c>Run</c>, for diagnostics.</summary>
    public string? Name { get; }

    /// <summary>True once <c>Run</c> has returned: forking onto it or adding hooks throws.</summary>
    public bool IsFinished { get; private set; }

    /// <summary>True while the switch's context is being cancelled (it failed, or its parent was cancelled).</summary>
    public bool IsCancelled => Context.IsCancelling;

    /// <summary>
    /// A token cancelled when the switch's context is cancelled, for handing to .NET APIs (see Adapters for owning variants).
    /// </summary>
    /// <exception cref="InvalidOperationException">The switch has finished ("Switch finished", as for Fork and OnRelease):
    /// a token first asked for then could never be cancelled.</exception>
    public CancellationToken CancellationToken
    {
        get
        {
            if (IsFinished)
            {
                throw new InvalidOperationException("Switch finished");
            }

            if (_tokenSource is null)
            {
                _tokenSource = new CancellationTokenSource();
                if (Context.IsCancelling)
                {
                    _tokenSource.Cancel();
                }
                else
                {
                    var source = _tokenSource;
                    Context.OnCancel(_ => source.Cancel());
                }
            }

            return _tokenSource.Token;
        }
    }

    internal CancelContext Context { get; }

    /// <summary>
    /// Runs <paramref name="body"/> with a new switch and waits for it and every fiber attached to it, then runs the
    /// release hooks (Eio <c>Switch.run</c>). Throws the original exception of the first failure; several real failures
    /// become an <see cref="AggregateException"/>, first failure first; <see cref="CancelledException"/> only when
    /// there is no real error.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    /// <exception cref="CancelledException">The calling fiber's context is already cancelled (checked on entry).</exception>
    /// <exception cref="InvalidOperationException">Not called from a fiber.</exception>
    public static async ValueTask Run(Func<Switch, ValueTask> body, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        await Run<Unit>(async sw =>
        {
            await body(sw).ConfigureAwait(true);
            return default;
        }, name, isProtected: false).ConfigureAwait(true);
    }

    /// <summary>Like <see cref="Run(Func{Switch, ValueTask}, string?)"/>, returning the body's result.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    /// <exception cref="CancelledException">The calling fiber's context is already cancelled.</exception>
    public static ValueTask<T> Run<T>(Func<Switch, ValueTask<T>> body, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        return Run(body, name, isProtected: false);
    }

    /// <summary>
    /// Like <see cref="Run(Func{Switch, ValueTask}, string?)"/>, but the switch is not cancelled when the caller's context
    /// is (Eio <c>Switch.run_protected</c>).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    public static async ValueTask RunProtected(Func<Switch, ValueTask> body, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        await Run<Unit>(async sw =>
        {
            await body(sw).ConfigureAwait(true);
            return default;
        }, name, isProtected: true).ConfigureAwait(true);
    }

    /// <summary>Like <see cref="RunProtected(Func{Switch, ValueTask}, string?)"/>, returning the body's result.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    public static ValueTask<T> RunProtected<T>(Func<Switch, ValueTask<T>> body, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        return Run(body, name, isProtected: true);
    }

    /// <summary>
    /// Records <paramref name="error"/> and cancels the switch's context (Eio <c>Switch.fail</c>); returns at once. The
    /// switch's <c>Run</c> throws it once every fiber has finished.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="error"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The switch has finished, or this is not its loop thread.</exception>
    public void Fail(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        Context.Runtime.CheckThread("Switch.Fail");
        if (IsFinished)
        {
            throw new InvalidOperationException("Switch finished");
        }

        Record(error);
        try
        {
            Context.Cancel(error);
        }
        catch (Exception hookFailure)
        {
            Record(hookFailure);
        }
    }

    /// <summary>Throws <see cref="CancelledException"/> if the switch is cancelling (Eio <c>Switch.check</c>).</summary>
    /// <exception cref="CancelledException">The switch's context is cancelled.</exception>
    /// <exception cref="InvalidOperationException">The switch has finished.</exception>
    public void Check()
    {
        if (IsFinished)
        {
            throw new InvalidOperationException("Switch finished");
        }

        Context.Check();
    }

    /// <summary>
    /// Registers <paramref name="release"/> to run when the switch finishes, after all its fibers, in LIFO order and
    /// protected from cancellation (Eio <c>Switch.on_release</c>). Once release has begun, the hook runs at once and
    /// <see cref="InvalidOperationException"/>("Switch finished") is thrown. Thread-safe: a fiber on another loop (another
    /// domain) may register a hook; the hook runs on the switch's loop, or, if late, in the calling fiber.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="release"/> is null.</exception>
    /// <exception cref="InvalidOperationException">Release has already begun (the hook has then run).</exception>
    public void OnRelease(Action release)
    {
        ArgumentNullException.ThrowIfNull(release);
        OnRelease(() =>
        {
            release();
            return ValueTask.CompletedTask;
        });
    }

    /// <summary>Registers an asynchronous release hook; see <see cref="OnRelease(Action)"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="release"/> is null.</exception>
    /// <exception cref="InvalidOperationException">
    /// Release has already begun: the hook has then been started at once, protected, in a fiber of its own; if it
    /// finished without suspending and failed, its exception comes first in an <see cref="AggregateException"/> with this one.
    /// A hook that suspends continues on its own (the run does not end before it has finished) and a later failure of it
    /// is reported to the loop.
    /// </exception>
    public void OnRelease(Func<ValueTask> release)
    {
        ArgumentNullException.ThrowIfNull(release);

        // Thread-safe, as in Eio: a fiber of another domain may register a hook. The lock orders it against the start of
        // release, which takes the same lock: either the hook is in the list before release begins, or it runs late.
        bool late;
        lock (_releaseHooks)
        {
            late = _releasing || IsFinished;
            if (!late)
            {
                _releaseHooks.Add(release);
            }
        }

        if (late)
        {
            RunLateHook(release); // in the calling fiber's own run, whichever loop that is
        }
    }

    /// <summary>
    /// Eio runs a hook added after release has begun at once, in the caller, then raises "Switch finished". A C# hook may
    /// suspend, and OnRelease cannot wait for it: run it in its own protected fiber so it can never take over the
    /// caller's fiber (whose next await would otherwise find it already suspended).
    /// </summary>
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void RunLateHook(Func<ValueTask> release)
    {
        var caller = FiberContext.Require("Switch.OnRelease");
        var context = new CancelContext(caller.Runtime, caller.CancelContext, isProtected: true, "late release hook");
        var owner = new LateHookOwner(context);
        var fiber = new FiberContext(caller.Runtime, context, caller.Bindings, owner);
        fiber.Start(release);
        var finished = new InvalidOperationException("Switch finished");
        if (!owner.Finished)
        {
            owner.ReportLater = true;
            caller.Runtime.DetachedFibers++; // the run waits for it: a hook is never abandoned half-way
            throw new InvalidOperationException("Switch finished (the release hook was started in a fiber of its own and continues)");
        }

        if (owner.Error is not null)
        {
            throw new MultipleExceptions([owner.Error, finished]);
        }

        throw finished;
    }

    /// <summary>Describes the switch for debugging.</summary>
    public override string ToString() => $"Switch '{Name ?? "?"}' ({_fibers} fibers{(IsCancelled ? ", cancelling" : "")}{(IsFinished ? ", finished" : "")})";

    /// <summary>
    /// Throws unless <paramref name="forking"/> may fork onto this switch: same run (so the right thread — the forking
    /// fiber is running on its own loop thread — without reading the thread id) and not finished.
    /// </summary>
    internal void CheckCanFork(FiberContext forking)
    {
        if (!ReferenceEquals(forking.Runtime, Context.Runtime))
        {
            Context.Runtime.CheckThread("Fiber.Fork"); // another loop's switch: the wrong-thread error says so
        }

        if (IsFinished)
        {
            throw new InvalidOperationException("Switch finished");
        }
    }

    internal void AddFiber(bool daemon)
    {
        _fibers++;
        if (daemon)
        {
            _daemonFibers++;
        }
    }

    void IFiberOwner.OnFiberFinished(FiberContext fiber, Exception? error)
    {
        bool daemon = fiber.IsDaemon;
        if (IsFinished)
        {
            // Only after a misuse ended the switch before its fibers (see IdleAwaitable), which cancelled them. A real
            // error has no switch left to fail: it goes to the loop's unhandled-error path rather than vanishing.
            RemoveFiber(daemon);
            if (error is not null and not CancelledException)
            {
                ExceptionDispatchInfo.Throw(error);
            }

            return;
        }

        if (error is not null && !(daemon && error is CancelledException && Context.IsCancelling))
        {
            Fail(error);
        }

        RemoveFiber(daemon);
    }

    internal void RemoveFiber(bool daemon)
    {
        _fibers--;
        if (daemon)
        {
            _daemonFibers--;
        }

        if (_daemonFibers > 0 && _fibers == _daemonFibers)
        {
            try
            {
                Context.Cancel(new OnlyDaemonsLeftException());
            }
            catch (Exception hookFailure)
            {
                // A cancellation callback (e.g. on the switch's CancellationToken) failed: the switch's error, as in
                // Fail — it must not escape into whichever step finished the last non-daemon fiber.
                Record(hookFailure);
            }
        }

        if (_fibers == 0 && _idleWaiter is { } waiter)
        {
            _idleWaiter = null;
            waiter.Resume();
        }
    }

    private static async ValueTask<T> Run<T>(Func<Switch, ValueTask<T>> body, string? name, bool isProtected)
    {
        var fiber = FiberContext.Require("Switch.Run");
        if (!isProtected)
        {
            fiber.CancelContext.Check();
        }

        var context = new CancelContext(fiber.Runtime, fiber.CancelContext, isProtected, "switch");
        var sw = new Switch(context, name);
        var outer = fiber.EnterContext(context);
        T result = default!;
        try
        {
            try
            {
                result = await body(sw).ConfigureAwait(true);
            }
            catch (Exception e)
            {
                sw.Fail(e);
            }

            sw.RemoveFiber(daemon: false);
            await sw.AwaitIdleAndRelease().ConfigureAwait(true);
        }
        finally
        {
            sw.IsFinished = true;
            fiber.EnterContext(outer);
            context.Finish();
            sw._tokenSource?.Dispose();
        }

        sw.ThrowIfFailed();
        return result;
    }

    /// <summary>Eio <c>await_idle</c>: wait (uncancellably) for the fibers, run all the hooks LIFO, repeat if hooks forked.</summary>
    private async ValueTask AwaitIdleAndRelease()
    {
        while (true)
        {
            while (_fibers > 0)
            {
                await new IdleAwaitable(this);
            }

            lock (_releaseHooks)
            {
                _releasing = true; // from here on no other thread adds to the list: their hooks run late
            }

            if (_releaseHooks.Count == 0)
            {
                return;
            }

            // Run every registered hook, newest first, before waiting again for fibers the hooks forked (Eio's await_idle).
            while (_releaseHooks.Count > 0)
            {
                var hook = _releaseHooks[^1];
                _releaseHooks.RemoveAt(_releaseHooks.Count - 1);
                try
                {
                    await Cancel.Protect(hook).ConfigureAwait(true);
                }
                catch (Exception e)
                {
                    Record(e);
                }
            }
        }
    }

    private void Record(Exception error)
    {
        if (error is CancelledException cancelled)
        {
            _cancelled ??= cancelled;
        }
        else if (!_errors.Contains(error))
        {
            _errors.Add(error);
        }
    }

    private void ThrowIfFailed()
    {
        if (_errors.Count == 1)
        {
            ExceptionDispatchInfo.Throw(_errors[0]);
        }

        if (_errors.Count > 1)
        {
            throw new MultipleExceptions(_errors);
        }

        if (_cancelled is not null)
        {
            ExceptionDispatchInfo.Throw(_cancelled);
        }
    }

    /// <summary>
    /// The main fiber waiting for the fiber count to reach zero; not cancellable (Eio's await_protect). If the body left
    /// the fiber parked on a wait it never awaited, the fiber cannot park here too: that misuse is reported to the caller
    /// of <see cref="Run(Func{Switch, ValueTask}, string?)"/> (never thrown from OnCompleted, which would end the process),
    /// after the switch is failed so that its fibers are cancelled rather than left running unattended.
    /// </summary>
    private readonly struct IdleAwaitable(Switch sw) : System.Runtime.CompilerServices.ICriticalNotifyCompletion
    {
        public IdleAwaitable GetAwaiter() => this;

        public bool IsCompleted => sw._fibers == 0 || FiberContext.RunningParkedElsewhere is not null;

        public void GetResult()
        {
            if (sw._fibers > 0 && FiberContext.RunningParkedElsewhere is { } fiber)
            {
                var error = fiber.ConcurrentAwaitError();
                sw.Fail(error);
                throw error;
            }
        }

        public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

        public void UnsafeOnCompleted(Action continuation)
        {
            var fiber = FiberContext.Require("Switch.Run");
            fiber.Suspend(continuation, null);
            sw._idleWaiter = fiber;
        }
    }

    /// <summary>Owner of a hook's fiber started by <see cref="RunLateHook"/>.</summary>
    private sealed class LateHookOwner(CancelContext context) : INamedFiberOwner
    {
        public string FiberName => "late release hook";

        public bool Finished { get; private set; }

        public Exception? Error { get; private set; }

        public bool ReportLater { get; set; }

        public void OnFiberFinished(FiberContext fiber, Exception? error)
        {
            Finished = true;
            Error = error;
            context.Finish();
            if (ReportLater)
            {
                fiber.Runtime.DetachedFibers--;
            }

            if (ReportLater && error is not null)
            {
                // Nobody awaits this hook any more: surface its failure through the loop's unhandled-error path.
                ExceptionDispatchInfo.Throw(error);
            }
        }
    }
}
