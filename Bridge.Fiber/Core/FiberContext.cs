using System.Threading.Tasks.Sources;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Bridge.Runtimes;

namespace Bridge.Fibers;

/// <summary>
/// One fiber (Eio's <c>Cancel.fiber_context</c> plus its scheduler entry). It is the fiber's own
/// <see cref="SynchronizationContext"/> while it runs, so a foreign <c>await</c> (a Task) comes back to the loop as
/// this fiber; and it is the <see cref="ILoopWorkItem"/> that the run queue resumes, so waking it allocates nothing.
/// </summary>
internal sealed class FiberContext : SynchronizationContext, ILoopWorkItem, IValueTaskSource
{
    // Where the fiber resumes, one field for all three forms (fibers are many; keep them small): an Action; an async
    // method's box, when the continuation is the async builder's own box invoker (what every ValueTask-based await
    // hands over, so no delegate is allocated per fiber); or, rarely, any other (Action<object?>, state) pair.
    private object? _continuation;
    // While suspended: the wait's cancel hook, if any. Once resumed: the error the awaiter must throw, or null. The two
    // are never needed at the same time, so they share one field.
    private object? _wait;
    // The body: its ValueTask as a Task (free for every ordinary async method), or a FiberMethodBuilder method's box.
    private object _body = Task.CompletedTask;
    private bool _bodyIsMethod;
    private bool _resumesMethod; // _continuation is a FiberMethodBuilder method's box
    private bool _finished;
    private bool _inForeignWait;
    private bool _escapeWatch;

    public FiberContext(FiberRuntime runtime, CancelContext cancel, FiberBindings bindings, IFiberOwner owner)
    {
        Debug.Assert(ReferenceEquals(cancel.Runtime, runtime), "a fiber's cancellation context belongs to its runtime");
        Bindings = bindings;
        Owner = owner;
        Id = runtime.NextFiberId();
        CancelContext = cancel;
        cancel.AddFiber(this);
    }

    /// <summary>
    /// The fiber running on this thread, or null. A running fiber is always the thread's synchronization context (a step
    /// installs it), so no thread-static of our own is needed: one thread-local read instead of two per step.
    /// </summary>
    public static FiberContext? Running => SynchronizationContext.Current as FiberContext;

    /// <summary>The run this fiber belongs to (every context it enters belongs to the same run).</summary>
    public FiberRuntime Runtime => CancelContext.Runtime;

    public EventLoop Loop => Runtime.Loop;

    public CancelContext CancelContext { get; private set; }

    public FiberBindings Bindings { get; set; }

    public IFiberOwner Owner { get; }

    /// <summary>"main" for a run's first fiber, else the owner's name for its fibers, if any (no field: fibers are many).</summary>
    public string? Name => Owner switch
    {
        RootOwner => "main",
        INamedFiberOwner named => named.FiberName,
        _ => null,
    };

    public int Id { get; }

    public bool IsFinished => _finished;

    /// <summary>Forked with <c>Fiber.ForkDaemon</c>: its switch does not wait for it.</summary>
    public bool IsDaemon { get; init; }

    internal FiberContext? PrevInContext { get; set; }

    internal FiberContext? NextInContext { get; set; }

    internal bool HasCancelHook => _wait is ICancelHook;

    // Links for the FiberWaitQueue this fiber waits in (guarded by that primitive's lock).
    internal FiberContext? WaitPrev { get; set; }

    internal FiberContext? WaitNext { get; set; }

    /// <summary>
    /// A payload travelling with the current wait: a stream's reusable <see cref="WaitBox{T}"/> (the item a blocked writer
    /// offers, the item handed to a woken reader), a pool's slot, a sleep's "fired" mark. One wait at a time, so one field.
    /// </summary>
    internal object? WaitSlot { get; set; }

    public bool IsSuspended => _continuation is not null || _inForeignWait;

    /// <summary>The current fiber, or the clear exception for code that runs outside one.</summary>
    public static FiberContext Require(string operation)
    {
        if (SynchronizationContext.Current is FiberContext fiber)
        {
            // Only a step running on the fiber's own loop thread installs it, so finding it already proves the thread
            // is right: no second thread-id check on the hot path.
            return fiber;
        }

        var loop = EventLoop.Current;
        if (loop is not null && FiberRuntime.Current is not null)
        {
            throw new InvalidOperationException(
                $"{operation} called from promise callback context or plain loop work, where there is no fiber; use Interop.RunFiber (or Fiber.Fork from a fiber) to get one.");
        }

        throw new InvalidOperationException(
            $"{operation} must be called from a fiber (inside Fiber.Run or Fiber.RunMock) on its loop thread. " +
            "If this code did run in a fiber, ConfigureAwait(false) or Task.Run has moved it to another thread: remove it.");
    }

    /// <summary>Moves the fiber into another cancellation context (Switch.Run, Cancel.Sub/Protect); returns the old one.</summary>
    public CancelContext EnterContext(CancelContext context)
    {
        var old = CancelContext;
        old.RemoveFiber(this);
        context.AddFiber(this);
        CancelContext = context;
        return old;
    }

    /// <summary>Eio <c>Fiber.check</c> for this fiber.</summary>
    public void Check() => CancelContext.Check();

    public bool IsCancelled => CancelContext.IsCancelling;

    /// <summary>
    /// Starts the fiber: runs <paramref name="body"/> now, on this stack, until it first suspends (Eio's fork: the child
    /// runs immediately). Eio's fibers each have a stack of their own; here a child that forks before it suspends nests
    /// one level deeper, so a long enough chain would overflow the thread's stack and end the process. When the stack runs
    /// low, the child starts instead as soon as the current step ends, ahead of everything queued — the only case where
    /// Bridge departs from Eio's order.
    /// </summary>
    public void Start(Func<ValueTask> body)
    {
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            Runtime.DeferStart(this, body);
            return;
        }

        var previous = Enter();
        try
        {
            var run = body();
            if (ValueTaskParts.Available && ValueTaskParts.Source(ref run) is FiberMethodBox method)
            {
                _body = method;
                _bodyIsMethod = true;
            }
            else
            {
                _body = StartedTask(run);
            }
        }
        catch (Exception e)
        {
            _body = Task.FromException(e);
        }
        finally
        {
            Leave(previous);
        }

        AfterStep();
    }

    /// <summary>The body's ValueTask as a Task to watch.</summary>
    private Task StartedTask(ValueTask run)
    {
        var task = run.AsTask();
        if (!task.IsCompleted && _continuation is null && !IsAsyncMethod(task))
        {
            // A plain task (a body such as () => new ValueTask(someTask)), not an async method: no fiber code runs when
            // it completes, wherever that is. Wait for it as the fiber, so that completing on another thread is not
            // mistaken for fiber code escaping its loop.
            task = AwaitAsFiber(task);
        }

        return task;
    }

    /// <summary>Whether <paramref name="task"/> is an async method's own task (the standard builders' state machine box).</summary>
    private static bool IsAsyncMethod(Task task) => task.GetType().DeclaringType == typeof(AsyncTaskMethodBuilder<>);

    private static async Task AwaitAsFiber(Task task) => await task.ConfigureAwait(true);

    /// <summary>
    /// Parks the fiber: <paramref name="continuation"/> runs when something calls <see cref="Resume(Exception?)"/>. When
    /// <paramref name="hook"/> is given, cancelling the fiber's context calls it while the fiber waits.
    /// </summary>
    public void Suspend(Action continuation, ICancelHook? hook)
    {
        if (_continuation is not null)
        {
            throw ConcurrentAwaitError();
        }

        _continuation = continuation;
        _wait = hook;
    }

    /// <summary>
    /// Like <see cref="Suspend(Action, ICancelHook?)"/> for a continuation that takes a state (what
    /// <c>IValueTaskSource.OnCompleted</c> receives: the async method's box, with no delegate allocated for it).
    /// </summary>
    public void Suspend(Action<object?> continuation, object? state, ICancelHook? hook)
    {
        if (ReferenceEquals(continuation, FiberMethodBox.ResumeInvoker))
        {
            SuspendMethod((FiberMethodBox)state!, hook);
            return;
        }

        if (_continuation is not null)
        {
            throw ConcurrentAwaitError();
        }

        _continuation = BoxInvoker.Pack(continuation, state);
        _wait = hook;
    }

    /// <summary>
    /// Like <see cref="Suspend(Action, ICancelHook?)"/> for a <see cref="FiberMethodBuilder"/> method: the fiber keeps its
    /// box and resumes it with a direct call.
    /// </summary>
    public void SuspendMethod(FiberMethodBox box, ICancelHook? hook)
    {
        if (_continuation is not null)
        {
            throw ConcurrentAwaitError();
        }

        _continuation = box;
        _resumesMethod = true;
        _wait = hook;
    }

    /// <summary><c>await Fiber.Yield()</c> in a <see cref="FiberMethodBuilder"/> method: park the box, go to the tail.</summary>
    public void YieldMethod(FiberMethodBox box)
    {
        Debug.Assert(_continuation is null && _wait is null, "a running fiber has no pending wait");
        _continuation = box;
        _resumesMethod = true;
        Loop.EnqueueSendOrPost(s_execute, this, null);
    }

    /// <summary>
    /// True while the fiber is parked on a wait. Code of the fiber that runs meanwhile (an async method called without
    /// being awaited at once) must not start a second wait: awaiters check this in <c>IsCompleted</c> or before their
    /// side effects and throw <see cref="ConcurrentAwaitError"/> from <c>GetResult</c> or the call — never from
    /// <c>OnCompleted</c>, where an exception escapes the fiber and ends the process.
    /// </summary>
    internal bool HasParkedContinuation => _continuation is not null;

    /// <summary>
    /// The running fiber if an un-awaited wait has parked it: a combinator or switch about to wait for its children
    /// cannot park it again and reports <see cref="ConcurrentAwaitError"/> from its awaiter's <c>GetResult</c> instead.
    /// </summary>
    internal static FiberContext? RunningParkedElsewhere => Running is { HasParkedContinuation: true } fiber ? fiber : null;

    /// <summary>Throws <see cref="ConcurrentAwaitError"/> if the fiber is already parked on another wait.</summary>
    internal void CheckCanWait()
    {
        if (_continuation is not null)
        {
            throw ConcurrentAwaitError();
        }
    }

    internal InvalidOperationException ConcurrentAwaitError() => new(
        $"{this} is already suspended: two awaits are pending in one fiber. Await each operation before starting the next, or fork a fiber for concurrent work.");

    /// <summary>Arms cancellation for the wait the fiber is suspended in (called under the primitive's lock).</summary>
    public void SetCancelHook(ICancelHook hook) => _wait = hook;

    /// <summary>
    /// Makes the suspended fiber runnable (Eio's <c>enqueue</c>): appended to the tail of its loop's run queue, from the
    /// loop thread directly or from any other thread through a post. Clears the cancel hook first. <paramref name="error"/>
    /// is what the awaiter will throw when the fiber resumes (a cancellation or poisoning), or null.
    /// </summary>
    public void Resume(Exception? error = null) => Resume(error, Running);

    /// <summary>
    /// <see cref="Resume(Exception?)"/> for a caller that already knows the running fiber (<paramref name="running"/>,
    /// possibly null): waking many fibers at once reads the thread's context once, not once per fiber.
    /// </summary>
    public void Resume(Exception? error, FiberContext? running)
    {
        _wait = error; // also disarms the cancel hook
        if (running is not null && ReferenceEquals(running.Runtime, Runtime))
        {
            // Called from a fiber step of this very runtime: its loop thread, inside RunUntil.
            Loop.EnqueueSendOrPost(s_execute, this, null);
        }
        else if (Loop.IsOnLoopThread && Loop.IsRunning)
        {
            Loop.Enqueue(this);
        }
        else
        {
            // False once the fiber's run has ended and its loop closed (a resolve from another thread came too late):
            // nothing is left to resume, and the resolver must go on waking the other waiters rather than throw.
            _ = Loop.TryPost(static f => ((FiberContext)f!).Execute(), this);
        }
    }

    /// <summary>
    /// The fiber requeues itself at the tail (Yield, a due-now sleep): the caller is this fiber's own step, so the run
    /// queue is appended to directly, without the thread checks of <see cref="Resume(Exception?)"/>.
    /// </summary>
    public void ResumeSelf()
    {
        Loop.EnqueueSendOrPost(s_execute, this, null);
    }

    /// <summary>
    /// <c>await Fiber.Yield()</c> is a <see cref="ValueTask"/> over the fiber itself, so the async method builder hands the
    /// suspended method's box straight here — no continuation delegate is allocated for a fiber that only yields.
    /// Always pending, except to report a second await started while another is pending (then <c>GetResult</c> throws).
    /// </summary>
    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) =>
        _continuation is null ? ValueTaskSourceStatus.Pending : ValueTaskSourceStatus.Faulted;

    /// <summary>
    /// Yield: park and go to the tail of the run queue. A running fiber has no hook and no wait token, so the hottest
    /// path stores only the continuation and its state.
    /// </summary>
    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
    {
        Debug.Assert(_continuation is null && _wait is null, "a running fiber has no pending wait");
        _continuation = BoxInvoker.Pack(continuation, state);
        Loop.EnqueueSendOrPost(s_execute, this, null);
    }

    /// <summary>After a yield: Eio checks cancellation when the fiber resumes.</summary>
    void IValueTaskSource.GetResult(short token)
    {
        if (_continuation is not null)
        {
            throw ConcurrentAwaitError();
        }

        Check();
    }

    private static readonly SendOrPostCallback s_execute = static f => ((FiberContext)f!).Execute();

    /// <summary>Called by <see cref="CancelContext.Cancel"/>: swaps the hook for nothing and calls it.</summary>
    public void CancelWait(CancelledException error)
    {
        if (_wait is ICancelHook hook)
        {
            _wait = null;
            hook.Cancel(this, error);
        }
    }

    /// <summary>The error delivered with the last resume (cancellation, poisoning), cleared on read.</summary>
    public Exception? TakeResumeError()
    {
        var error = _wait as Exception;
        _wait = null;
        return error;
    }

    /// <summary>Run-queue entry point: continue the fiber where it suspended.</summary>
    public void Execute()
    {
        var continuation = _continuation;
        _continuation = null;
        if (continuation is null)
        {
            return; // already resumed (e.g. a stale post after cancellation)
        }

        bool method = _resumesMethod;
        _resumesMethod = false;
        RunStep(continuation, method);
    }

    /// <summary>
    /// Foreign awaits come back here: the continuation is queued on the loop as this fiber. Never throws: after the run
    /// has ended it runs on the thread pool instead.
    /// </summary>
    public override void Post(SendOrPostCallback d, object? state)
    {
        var item = new ForeignContinuation(this, d, state);
        if (Loop.IsOnLoopThread && Loop.IsRunning)
        {
            Loop.Enqueue(item);
        }
        else if (!Loop.TryPost(static i => ((ForeignContinuation)i!).Execute(), item))
        {
            // The run has ended: a Task started from a fiber and never awaited completed afterwards. Its continuation
            // runs on the thread pool, outside any fiber (Fiber APIs there throw), rather than being lost — or thrown
            // on the completing thread, which would end the process.
            ThreadPool.UnsafeQueueUserWorkItem(static s => s.Callback(s.State), (Callback: d, State: state), preferLocal: false);
        }
    }

    /// <summary>Runs inline on the loop thread as this fiber; elsewhere posts and waits.</summary>
    public override void Send(SendOrPostCallback d, object? state)
    {
        if (Loop.IsOnLoopThread)
        {
            d(state);
            return;
        }

        Loop.SynchronizationContext.Send(d, state);
    }

    /// <summary>The same fiber: identity lets the runtime inline a continuation that completes inside this fiber.</summary>
    public override SynchronizationContext CreateCopy() => this;

    public override string ToString() => Name is null ? $"fiber #{Id}" : $"fiber #{Id} '{Name}'";

    private void RunStep(object continuation, bool method)
    {
        var previous = Enter();
        try
        {
            if (method)
            {
                Unsafe.As<FiberMethodBox>(continuation).ResumeInStep(); // Leave below restores the synchronization context
            }
            else
            {
                BoxInvoker.Invoke(continuation);
            }
        }
        finally
        {
            Leave(previous);
        }

        AfterStep();
    }

    private SynchronizationContext? Enter()
    {
        var previous = SynchronizationContext.Current;
        SetSynchronizationContext(this);
        return previous;
    }

    private static void Leave(SynchronizationContext? previous) => SetSynchronizationContext(previous);

    /// <summary>
    /// After each step: finished? (checking the body's task is far cheaper than a completion callback per fiber) —
    /// otherwise, if it did not park itself on a Bridge waiter, it awaits something foreign (a Task).
    /// </summary>
    private void AfterStep()
    {
        if (BodyCompleted)
        {
            Finish();
            return;
        }

        if (_continuation is null && !_inForeignWait)
        {
            _inForeignWait = true;
            Runtime.ForeignWaits++;
            WatchForEscape();
        }
    }

    private void EndForeignWait()
    {
        if (_inForeignWait)
        {
            _inForeignWait = false;
            Runtime.ForeignWaits--;
        }
    }

    /// <summary>
    /// A fiber parked on a foreign await may be continued off the loop (ConfigureAwait(false)). If its body then finishes
    /// on another thread, nothing on the loop would notice and its switch would hang: watch for that once per fiber.
    /// </summary>
    private void WatchForEscape()
    {
        if (_escapeWatch)
        {
            return;
        }

        _escapeWatch = true;
        BeforeEscapeWatch?.Invoke(this);

        // The check must run on the thread that completes the body. An awaiter continuation would not: .NET does not
        // inline it where a SynchronizationContext is current (the loop, inside this fiber), so it would hop to the
        // thread pool, look "escaped", and post to a loop that may already have been disposed — crashing the process.
        // A synchronous task continuation runs inline on the completing thread — or, when the body has already
        // finished elsewhere in the moment since AfterStep looked, right here at registration, on the loop thread, while
        // the fiber is still marked as in a foreign wait. That case is an escape too: missing it left the switch
        // waiting for a finished fiber, and the loop asleep for good.
        if (_bodyIsMethod)
        {
            Unsafe.As<FiberMethodBox>(_body).WatchCompletion(static state => OnBodyFinished(state), this);
        }
        else
        {
            _ = Unsafe.As<Task>(_body).ContinueWith(
                static (_, state) => OnBodyFinished(state),
                this,
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    private static void OnBodyFinished(object? state)
    {
        var fiber = (FiberContext)state!;
        bool onLoop = fiber.Loop.IsOnLoopThread;
        if (!onLoop || fiber._inForeignWait)
        {
            // TryPost: this may run inside the method's completion on any thread, where a throw would end the process; a
            // loop already closed has no switch left to tell.
            int thread = onLoop ? -1 : Environment.CurrentManagedThreadId;
            _ = fiber.Loop.TryPost(static s =>
            {
                var (f, t) = ((FiberContext, int))s!;
                f.FinishEscaped(t);
            }, (fiber, thread));
        }
    }

    /// <summary>Test seam: runs between the end-of-step check and the escape watch's registration (null in production).</summary>
    internal static Action<FiberContext>? BeforeEscapeWatch { get; set; }

    /// <summary>Whether the fiber's body has completed, wherever it ran (tests).</summary>
    internal bool BodyCompleted => _bodyIsMethod ? Unsafe.As<FiberMethodBox>(_body).IsCompleted : Unsafe.As<Task>(_body).IsCompleted;

    private void FinishEscaped(int thread)
    {
        if (_finished)
        {
            return;
        }

        string where = thread < 0 ? "on another thread" : $"on thread {thread}";
        var escaped = new InvalidOperationException(
            $"{this} finished {where}, off its loop '{Loop.Name}': ConfigureAwait(false) or Task.Run moved the fiber's code off the loop. Fiber code must stay on its loop; remove ConfigureAwait(false).");
        Exception? own = BodyError();
        FinishWith(own is null ? escaped : new AggregateException(escaped, own));
    }

    private void Finish()
    {
        if (!_finished)
        {
            FinishWith(BodyError());
        }
    }

    /// <summary>The finished body's exception, or null.</summary>
    private Exception? BodyError()
    {
        if (_bodyIsMethod)
        {
            return Unsafe.As<FiberMethodBox>(_body).Error;
        }

        var task = Unsafe.As<Task>(_body);
        if (task.IsCompletedSuccessfully)
        {
            return null;
        }

        try
        {
            task.GetAwaiter().GetResult();
            return new InvalidOperationException("unreachable");
        }
        catch (Exception e)
        {
            return e;
        }
    }

    private void FinishWith(Exception? error)
    {
        _finished = true;
        EndForeignWait();
        CancelContext.RemoveFiber(this);
        Owner.OnFiberFinished(this, error);
    }

    /// <summary>A foreign await's continuation, tagged with its fiber.</summary>
    private sealed class ForeignContinuation(FiberContext fiber, SendOrPostCallback callback, object? state) : ILoopWorkItem
    {
        public void Execute()
        {
            fiber.EndForeignWait();
            var previous = fiber.Enter();
            try
            {
                callback(state);
            }
            finally
            {
                Leave(previous);
            }

            fiber.AfterStep();
        }
    }
}
