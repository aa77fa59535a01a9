using System.Threading.Tasks.Sources;

namespace Bridge.Fibers;

/// <summary>
/// How a suspended fiber stores where it resumes in one field. Every <c>await</c> of a ValueTask over a Bridge source
/// hands <c>IValueTaskSource.OnCompleted</c> the same pair: the async method builder's static "resume this box"
/// delegate and the method's box. Knowing that delegate, the fiber keeps only the box; any other pair (rare: a ValueTask
/// turned into a Task, a hand-written awaiter) is kept in a small holder.
/// </summary>
internal static class BoxInvoker
{
    // Found once by awaiting a probe source from an ordinary async method: whatever the runtime version passes is what
    // it will pass for every fiber. Null if the probe saw something unexpected: then every pair goes into a holder.
    private static readonly Action<object?>? s_builderInvoker;

    // What ValueTaskAwaiter.UnsafeOnCompleted(Action) passes with the Action as state (also found by the probe).
    private static readonly Action<object?>? s_runtimeActionInvoker;

    static BoxInvoker()
    {
        var probe = new Probe();
        _ = AwaitProbe(probe); // stays suspended for good: one small object, once per process
        s_builderInvoker = probe.State is Task ? probe.Continuation : null;

        Action marker = static () => { };
        new ValueTask(probe, 0).GetAwaiter().UnsafeOnCompleted(marker);
        s_runtimeActionInvoker = ReferenceEquals(probe.State, marker) ? probe.Continuation : null;
    }

    /// <summary>Runs its state as an <see cref="Action"/>: what Bridge's own awaiters pass to a ValueTask source.</summary>
    public static Action<object?> InvokeAction { get; } = static action => ((Action)action!)();

    /// <summary>
    /// Whether <paramref name="continuation"/> is what an <c>await</c> in an async method hands a ValueTask source (the
    /// standard builder's or FiberMethodBuilder's box invoker, or an awaiter's Action invoker), as opposed to some other consumer of the source (a
    /// ValueTask turned into a Task, a combinator): only an await suspends the fiber it runs in.
    /// </summary>
    public static bool IsAwait(Action<object?> continuation) =>
        ReferenceEquals(continuation, s_builderInvoker)
        || ReferenceEquals(continuation, FiberMethodBox.ResumeInvoker)
        || ReferenceEquals(continuation, s_runtimeActionInvoker)
        || ReferenceEquals(continuation, InvokeAction);

    /// <summary>The one object that <see cref="Invoke"/> resumes as <c>continuation(state)</c>.</summary>
    public static object Pack(Action<object?> continuation, object? state)
    {
        if (state is Action action && (ReferenceEquals(continuation, InvokeAction) || ReferenceEquals(continuation, s_runtimeActionInvoker)))
        {
            return action;
        }

        // An async method's box (the standard builders' Task, or a pooling builder's box): never an Action or a holder.
        return state is not (null or Action or StatefulContinuation) && ReferenceEquals(continuation, s_builderInvoker)
            ? state
            : new StatefulContinuation(continuation, state);
    }

    /// <summary>Runs a continuation stored by <see cref="FiberContext"/>: an Action, a box, or a holder.</summary>
    public static void Invoke(object continuation)
    {
        if (continuation is Action action)
        {
            action();
        }
        else if (continuation is StatefulContinuation pair)
        {
            pair.Callback(pair.State);
        }
        else
        {
            s_builderInvoker!(continuation);
        }
    }

    private static async ValueTask AwaitProbe(Probe probe) => await new ValueTask(probe, 0);

    private sealed record StatefulContinuation(Action<object?> Callback, object? State);

    private sealed class Probe : IValueTaskSource
    {
        public Action<object?>? Continuation { get; private set; }

        public object? State { get; private set; }

        public ValueTaskSourceStatus GetStatus(short token) => ValueTaskSourceStatus.Pending;

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        {
            Continuation = continuation;
            State = state;
        }

        public void GetResult(short token)
        {
        }
    }
}
