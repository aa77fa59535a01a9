using System.Diagnostics;
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
    // or is suspended with nobody waiting for it; while awaited, the latest FiberMethodWaiter (a stack linked through
    // Next, almost always of one); once finished, s_succeeded or the ExceptionDispatchInfo of its exception.
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

    public bool IsCompleted => Volatile.Read(ref _completion) is not (null or FiberMethodWaiter);

    /// <summary>The method's exception, once it has finished with one.</summary>
    public Exception? Error => (Volatile.Read(ref _completion) as ExceptionDispatchInfo)?.SourceException;

    protected ValueTaskSourceStatus Status => Volatile.Read(ref _completion) switch
    {
        null or FiberMethodWaiter => ValueTaskSourceStatus.Pending,
        ExceptionDispatchInfo { SourceException: OperationCanceledException } => ValueTaskSourceStatus.Canceled,
        ExceptionDispatchInfo => ValueTaskSourceStatus.Faulted,
        _ => ValueTaskSourceStatus.Succeeded,
    };

    /// <summary>Throws the method's exception, or that it has not finished (a ValueTask read before completion).</summary>
    protected void ThrowIfNotSucceeded()
    {
        switch (Volatile.Read(ref _completion))
        {
            case null or FiberMethodWaiter:
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
        Debug.Assert(completion is null or FiberMethodWaiter, "a method finishes once");
        if (completion is not FiberMethodWaiter last)
        {
            return;
        }

        if (last.Next is null)
        {
            last.Run(mustQueue: false); // the usual case: one waiter
            return;
        }

        FiberMethodWaiter? first = null;
        for (FiberMethodWaiter? waiter = last, next; waiter is not null; waiter = next)
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
        var waiter = new FiberMethodWaiter(continuation, state, flags, alwaysInline: false);
        if (!TryAdd(waiter))
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
        if (!TryAdd(new FiberMethodWaiter(callback, state, ValueTaskSourceOnCompletedFlags.None, alwaysInline: true)))
        {
            callback(state);
        }
    }

    /// <summary>Adds a waiter; false (nothing added) if the method has already finished.</summary>
    private bool TryAdd(FiberMethodWaiter waiter)
    {
        while (true)
        {
            var previous = Volatile.Read(ref _completion);
            if (previous is not (null or FiberMethodWaiter))
            {
                return false;
            }

            waiter.Next = (FiberMethodWaiter?)previous;
            if (ReferenceEquals(Interlocked.CompareExchange(ref _completion, waiter, previous), previous))
            {
                return true;
            }
        }
    }
}
