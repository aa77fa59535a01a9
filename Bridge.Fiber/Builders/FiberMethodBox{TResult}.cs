using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading.Tasks.Sources;

namespace Bridge.Fibers;

/// <summary>A <see cref="FiberMethodBox"/> with the method's result: the source behind its <c>ValueTask&lt;TResult&gt;</c>.</summary>
internal abstract class FiberMethodBox<TResult> : FiberMethodBox, IValueTaskSource<TResult>, IValueTaskSource
{
    private TResult _result = default!;

    /// <summary>
    /// The box of the method whose builder holds <paramref name="box"/>, created at its first suspension: the builder
    /// inside the state machine learns its box before the state machine is copied into it, so every later await (run
    /// from the box's copy) finds it.
    /// </summary>
    public static FiberMethodBox Of<TStateMachine>(ref FiberMethodBox<TResult>? box, ref TStateMachine stateMachine)
        where TStateMachine : IAsyncStateMachine
    {
        var context = ExecutionContext.Capture();
        if (box is FiberMethodBox<TResult, TStateMachine> existing)
        {
            if (!ReferenceEquals(existing.Context, context))
            {
                existing.Context = context; // written only when it changed: a reference store costs a GC write barrier
            }

            return existing;
        }

        var created = new FiberMethodBox<TResult, TStateMachine> { Context = context };
        box = created;
        created.StateMachine = stateMachine;
        return created;
    }

    public void SetResult(TResult result)
    {
        _result = result;
        Complete(null);
    }

    public void SetException(Exception exception) => Complete(ExceptionDispatchInfo.Capture(exception));

    /// <summary>
    /// A builder's <c>SetException</c>: fails the method's box, or — for a method that fails before it ever suspended —
    /// gives it a box holding only the exception.
    /// </summary>
    public static void SetException(ref FiberMethodBox<TResult>? box, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (box is null)
        {
            box = new FailedMethodBox<TResult>(exception);
        }
        else
        {
            box.SetException(exception);
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => Status;

    public TResult GetResult(short token)
    {
        ThrowIfNotSucceeded();
        return _result;
    }

    void IValueTaskSource.GetResult(short token) => ThrowIfNotSucceeded();
}

/// <summary>The box of a method that failed before it ever suspended.</summary>
internal sealed class FailedMethodBox<TResult> : FiberMethodBox<TResult>
{
    public FailedMethodBox(Exception exception) => SetException(exception);

    public override void ResumeInStep() => throw new InvalidOperationException("A finished method cannot be resumed.");
}

/// <summary>The box holding a suspended method's state machine.</summary>
internal sealed class FiberMethodBox<TResult, TStateMachine> : FiberMethodBox<TResult>
    where TStateMachine : IAsyncStateMachine
{
    private static readonly ContextCallback s_moveNext = static box => ((FiberMethodBox<TResult, TStateMachine>)box!).StateMachine.MoveNext();

    public TStateMachine StateMachine = default!;

    /// <summary>
    /// Resumes the method in the execution context of its await. When that is the thread's current context — always, for
    /// fibers that set no <see cref="AsyncLocal{T}"/> — the state machine runs directly, and any AsyncLocal it sets is
    /// undone afterwards, as <c>ExecutionContext.Run</c> would: what the method sets stays in the method.
    /// </summary>
    public override void ResumeInStep()
    {
        var context = Context;
        if (context is null)
        {
            StateMachine.MoveNext(); // flow was suppressed at the await: run in whatever context is current
        }
        else
        {
            var current = ExecutionContext.Capture();
            if (ReferenceEquals(context, current))
            {
                StateMachine.MoveNext();
                if (!ReferenceEquals(ExecutionContext.Capture(), current))
                {
                    ExecutionContext.Restore(current);
                }
            }
            else
            {
                ExecutionContext.Run(context, s_moveNext, this);
            }
        }

        if (IsCompleted)
        {
            // Release what the method referenced, as the standard builders do: the box may outlive it as a ValueTask.
            StateMachine = default!;
            Context = null;
        }
    }
}
