using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;

namespace Bridge.Fibers;

/// <summary>Whoever awaits a <see cref="FiberMethodBuilder"/> method's ValueTask, with where it asked to continue.</summary>
internal sealed class FiberMethodWaiter
{
    private readonly Action<object?> _continuation;
    private readonly object? _state;
    private readonly object? _scheduler; // the SynchronizationContext or TaskScheduler to continue on, if any
    private readonly ExecutionContext? _context;
    private readonly bool _alwaysInline;

    public FiberMethodWaiter(Action<object?> continuation, object? state, ValueTaskSourceOnCompletedFlags flags, bool alwaysInline)
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
    public FiberMethodWaiter? Next { get; set; }

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
                    context.Post(static w => ((FiberMethodWaiter)w!).Invoke(), this);
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
                        _ = Task.Factory.StartNew(static w => ((FiberMethodWaiter)w!).Invoke(), this, CancellationToken.None, TaskCreationOptions.DenyChildAttach, scheduler);
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
            ExecutionContext.Run(_context, static w => ((FiberMethodWaiter)w!)._continuation(((FiberMethodWaiter)w!)._state), this);
        }
    }
}
