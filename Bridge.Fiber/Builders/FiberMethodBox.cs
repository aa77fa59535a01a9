using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading.Tasks.Sources;

namespace Bridge.Fibers;

/// <summary>
/// The heap half of a <see cref="FiberMethodBuilder"/> method, created when the method first suspends (the standard
/// builders' <c>AsyncStateMachineBox</c>). A fiber parks the box itself and resumes it with one virtual call — no
/// delegate, no <c>ExecutionContext.RunInternal</c> when the method's context is the one already current — and the box
/// is the <see cref="IValueTaskSource"/> behind the method's ValueTask.
/// </summary>
internal abstract class FiberMethodBox
{
    /// <summary>
    /// The continuation a Bridge ValueTask source receives when a <see cref="FiberMethodBuilder"/> method awaits it, with
    /// the box as its state: a fiber recognises it and keeps only the box (as it does for the standard builder's box).
    /// </summary>
    public static readonly Action<object?> ResumeInvoker = static box => ((FiberMethodBox)box!).MoveNext();

    private static readonly object s_succeeded = new();

    // One field for the method's whole outcome (boxes are one per suspended method: keep them small): null while it runs
    // or is suspended with nobody waiting for it; while awaited, the latest Waiter (a stack linked through Next, almost
    // always of one); once finished, s_succeeded or the ExceptionDispatchInfo of its exception.
    private object? _completion;
    private Action? _moveNextAction;

    /// <summary>The execution context of the await the method is suspended in (captured at each await, as the standard builders do).</summary>
    internal ExecutionContext? Context { get; set; }

    /// <summary>
    /// Continues the state machine where it suspended, as the standard builders' box does: a synchronization context or
    /// <see cref="AsyncLocal{T}"/> value the method sets stays in the method.
    /// </summary>
    public void MoveNext()
    {
        var synchronizationContext = SynchronizationContext.Current;
        var executionContext = ExecutionContext.Capture();
        try
        {
            ResumeInStep();
        }
        finally
        {
            if (executionContext is not null && !ReferenceEquals(ExecutionContext.Capture(), executionContext))
            {
                ExecutionContext.Restore(executionContext); // after a throw (the normal path restores its own)
            }

            if (!ReferenceEquals(SynchronizationContext.Current, synchronizationContext))
            {
                SynchronizationContext.SetSynchronizationContext(synchronizationContext);
            }
        }
    }

    /// <summary>
    /// <see cref="MoveNext"/> for a fiber's step, which puts the thread's synchronization context back itself when the
    /// step ends, and whose loop puts its execution context back should the step throw: the hot path needs neither a
    /// second thread-local read nor a protected region.
    /// </summary>
    public abstract void ResumeInStep();

    /// <summary>For awaiters that only take an <see cref="Action"/> (foreign awaits): allocated on first use.</summary>
    public Action MoveNextAction => _moveNextAction ??= MoveNext;

    public bool IsCompleted => Volatile.Read(ref _completion) is not (null or Waiter);

    /// <summary>The method's exception, once it has finished with one.</summary>
    public Exception? Error => (Volatile.Read(ref _completion) as ExceptionDispatchInfo)?.SourceException;

    protected ValueTaskSourceStatus Status => Volatile.Read(ref _completion) switch
    {
        null or Waiter => ValueTaskSourceStatus.Pending,
        ExceptionDispatchInfo { SourceException: OperationCanceledException } => ValueTaskSourceStatus.Canceled,
        ExceptionDispatchInfo => ValueTaskSourceStatus.Faulted,
        _ => ValueTaskSourceStatus.Succeeded,
    };

    /// <summary>Throws the method's exception, or that it has not finished (a ValueTask read before completion).</summary>
    protected void ThrowIfNotSucceeded()
    {
        switch (Volatile.Read(ref _completion))
        {
            case null or Waiter:
                throw new InvalidOperationException("The method has not finished: await its ValueTask instead of reading its result.");
            case ExceptionDispatchInfo error:
                error.Throw();
                break;
        }
    }

    /// <summary>
    /// Marks the method finished (once) and runs its waiters, if any, in the order they came. One that throws (a
    /// synchronization context refusing a post) does not keep the others from running; the first such error is rethrown
    /// afterwards, to whoever finished the method.
    /// </summary>
    protected void Complete(ExceptionDispatchInfo? error)
    {
        var completion = Interlocked.Exchange(ref _completion, (object?)error ?? s_succeeded);
        Debug.Assert(completion is null or Waiter, "a method finishes once");
        if (completion is not Waiter last)
        {
            return;
        }

        if (last.Next is null)
        {
            last.Run(mustQueue: false); // the usual case: one waiter
            return;
        }

        Waiter? first = null;
        for (Waiter? waiter = last, next; waiter is not null; waiter = next)
        {
            next = waiter.Next;
            waiter.Next = first;
            first = waiter;
        }

        ExceptionDispatchInfo? failure = null;
        for (var waiter = first; waiter is not null; waiter = waiter.Next)
        {
            try
            {
                waiter.Run(mustQueue: false);
            }
            catch (Exception e)
            {
                failure ??= ExceptionDispatchInfo.Capture(e);
            }
        }

        failure?.Throw();
    }

    /// <summary>
    /// <see cref="IValueTaskSource.OnCompleted"/>: the waiter runs when the method finishes. A ValueTask is meant to be
    /// awaited once, but the standard builders' Task-backed ValueTask tolerates more, and so does this: every waiter runs.
    /// </summary>
    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        if (!TryAdd(new Waiter(continuation, state, flags, alwaysInline: false), out var waiter))
        {
            waiter.Run(mustQueue: true); // finished meanwhile: the IValueTaskSource contract is to continue asynchronously
        }
    }

    /// <summary>
    /// The fiber's watch on its own body: <paramref name="callback"/> runs on the thread that finishes the method, or at
    /// once on this thread if it has already finished.
    /// </summary>
    internal void WatchCompletion(Action<object?> callback, object state)
    {
        if (!TryAdd(new Waiter(callback, state, ValueTaskSourceOnCompletedFlags.None, alwaysInline: true), out _))
        {
            callback(state);
        }
    }

    /// <summary>Adds a waiter; false (nothing added) if the method has already finished.</summary>
    private bool TryAdd(Waiter waiter, out Waiter added)
    {
        added = waiter;
        while (true)
        {
            var previous = Volatile.Read(ref _completion);
            if (previous is not (null or Waiter))
            {
                return false;
            }

            waiter.Next = (Waiter?)previous;
            if (ReferenceEquals(Interlocked.CompareExchange(ref _completion, waiter, previous), previous))
            {
                return true;
            }
        }
    }

    /// <summary>Whoever awaits the method's ValueTask, with where it asked to continue.</summary>
    private sealed class Waiter
    {
        private readonly Action<object?> _continuation;
        private readonly object? _state;
        private readonly object? _scheduler; // the SynchronizationContext or TaskScheduler to continue on, if any
        private readonly ExecutionContext? _context;
        private readonly bool _alwaysInline;

        public Waiter(Action<object?> continuation, object? state, ValueTaskSourceOnCompletedFlags flags, bool alwaysInline)
        {
            _continuation = continuation;
            _state = state;
            _alwaysInline = alwaysInline;
            if ((flags & ValueTaskSourceOnCompletedFlags.FlowExecutionContext) != 0)
            {
                _context = ExecutionContext.Capture();
            }

            if ((flags & ValueTaskSourceOnCompletedFlags.UseSchedulingContext) != 0)
            {
                var context = SynchronizationContext.Current;
                if (context is not null && context.GetType() != typeof(SynchronizationContext))
                {
                    _scheduler = context;
                }
                else if (TaskScheduler.Current != TaskScheduler.Default)
                {
                    _scheduler = TaskScheduler.Current;
                }
            }
        }

        /// <summary>The waiter added before this one (a stack while waiting, put in arrival order on completion).</summary>
        public Waiter? Next { get; set; }

        /// <summary>
        /// Runs the waiter where it asked, by the rules of an awaited Task's continuation: inline when the method finishes
        /// in the context it was awaited from (so in a fiber the caller continues in the same step, in Eio's order), or —
        /// for a waiter without a context (ConfigureAwait(false)) — on a thread with no context of its own; always with
        /// stack to spare. Anywhere else it is queued: to its context, or to the thread pool.
        /// </summary>
        public void Run(bool mustQueue)
        {
            if (_alwaysInline)
            {
                Invoke();
                return;
            }

            bool mayInline = !mustQueue && RuntimeHelpers.TryEnsureSufficientExecutionStack();
            switch (_scheduler)
            {
                case SynchronizationContext context:
                    if (mayInline && ReferenceEquals(SynchronizationContext.Current, context))
                    {
                        Invoke();
                    }
                    else
                    {
                        context.Post(static w => ((Waiter)w!).Invoke(), this);
                    }

                    break;
                case TaskScheduler scheduler:
                    if (mayInline && TaskScheduler.Current == scheduler)
                    {
                        Invoke();
                    }
                    else
                    {
                        try
                        {
                            _ = Task.Factory.StartNew(static w => ((Waiter)w!).Invoke(), this, CancellationToken.None, TaskCreationOptions.DenyChildAttach, scheduler);
                        }
                        catch (TaskSchedulerException)
                        {
                            // The scheduler refused the work (it was completed, say). As for a Task's continuation there,
                            // the error stays with the continuation, which never runs; the method's other waiters do.
                        }
                    }

                    break;
                default:
                    // An await without a context (ConfigureAwait(false)) continues inline only on a thread with no
                    // context of its own, as from a Task; any other consumer (AsTask, a combinator) inline, like a Task's
                    // completion action — so a method's AsTask completes in the step that finished the method.
                    if (mayInline && (OnContextFreeThread() || !BoxInvoker.IsAwait(_continuation)))
                    {
                        Invoke();
                    }
                    else
                    {
                        ThreadPool.UnsafeQueueUserWorkItem(static w => w.Invoke(), this, preferLocal: true);
                    }

                    break;
            }
        }

        /// <summary>Where a Task runs a context-free continuation inline: no SynchronizationContext or TaskScheduler of its own.</summary>
        private static bool OnContextFreeThread()
        {
            var context = SynchronizationContext.Current;
            return (context is null || context.GetType() == typeof(SynchronizationContext)) && TaskScheduler.Current == TaskScheduler.Default;
        }

        private void Invoke()
        {
            if (_context is null)
            {
                _continuation(_state);
            }
            else
            {
                ExecutionContext.Run(_context, static w => ((Waiter)w!)._continuation(((Waiter)w!)._state), this);
            }
        }
    }
}
