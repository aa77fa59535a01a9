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
    // or is suspended with nobody waiting for it; the one Waiter to run when it finishes (a ValueTask is awaited once);
    // once finished, s_succeeded or the ExceptionDispatchInfo of its exception.
    private object? _completion;
    private Action? _moveNextAction;

    /// <summary>The execution context of the await the method is suspended in (captured at each await, as the standard builders do).</summary>
    internal ExecutionContext? Context { get; set; }

    /// <summary>Continues the state machine where it suspended.</summary>
    public abstract void MoveNext();

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

    /// <summary>Marks the method finished (once) and runs its waiter, if any.</summary>
    protected void Complete(ExceptionDispatchInfo? error)
    {
        var waiter = Interlocked.Exchange(ref _completion, (object?)error ?? s_succeeded);
        Debug.Assert(waiter is null or Waiter, "a method finishes once");
        (waiter as Waiter)?.Run(mustQueue: false);
    }

    /// <summary><see cref="IValueTaskSource.OnCompleted"/>: the waiter runs when the method finishes.</summary>
    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        var waiter = new Waiter(continuation, state, flags);
        var previous = Interlocked.CompareExchange(ref _completion, waiter, null);
        if (previous is null)
        {
            return;
        }

        if (previous is Waiter)
        {
            throw new InvalidOperationException("The ValueTask of a FiberMethodBuilder method was awaited twice; a ValueTask may be awaited once.");
        }

        waiter.Run(mustQueue: true); // finished meanwhile: the IValueTaskSource contract is to continue asynchronously
    }

    /// <summary>
    /// The fiber's watch on its own body: <paramref name="callback"/> runs on the thread that finishes the method, or at
    /// once on this thread if it has already finished.
    /// </summary>
    internal void WatchCompletion(Action<object?> callback, object state)
    {
        if (Interlocked.CompareExchange(ref _completion, new Waiter(callback, state, ValueTaskSourceOnCompletedFlags.None), null) is not null)
        {
            callback(state);
        }
    }

    /// <summary>Whoever awaits the method's ValueTask, with where it asked to continue.</summary>
    private sealed class Waiter
    {
        private readonly Action<object?> _continuation;
        private readonly object? _state;
        private readonly object? _scheduler;
        private readonly ExecutionContext? _context;

        public Waiter(Action<object?> continuation, object? state, ValueTaskSourceOnCompletedFlags flags)
        {
            _continuation = continuation;
            _state = state;
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

        /// <summary>
        /// Runs the waiter where it asked. Like an awaited Task's continuation, it runs inline when the method finishes in
        /// the context it was awaited from (the same fiber): a caller's code continues in the same step, in Eio's order.
        /// </summary>
        public void Run(bool mustQueue)
        {
            switch (_scheduler)
            {
                case SynchronizationContext context:
                    if (!mustQueue && ReferenceEquals(SynchronizationContext.Current, context) && RuntimeHelpers.TryEnsureSufficientExecutionStack())
                    {
                        Invoke();
                    }
                    else
                    {
                        context.Post(static w => ((Waiter)w!).Invoke(), this);
                    }

                    break;
                case TaskScheduler scheduler:
                    _ = Task.Factory.StartNew(static w => ((Waiter)w!).Invoke(), this, CancellationToken.None, TaskCreationOptions.DenyChildAttach, scheduler);
                    break;
                default:
                    if (mustQueue)
                    {
                        ThreadPool.UnsafeQueueUserWorkItem(static w => w.Invoke(), this, preferLocal: true);
                    }
                    else
                    {
                        Invoke();
                    }

                    break;
            }
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
