namespace Bridge.Runtimes;

/// <summary>
/// One entry of the run queue. A struct so that the ring buffer holds items inline and enqueueing allocates
/// nothing; <see cref="Callback"/> is either an <see cref="Action{T}"/>, a <see cref="SendOrPostCallback"/>
/// or null (then <see cref="State"/> is an <see cref="ILoopWorkItem"/>).
/// </summary>
internal readonly struct WorkItem
{
    public readonly Delegate? Callback;
    public readonly object? State;
    /// <summary>Captured by <see cref="EventLoop.Post"/>; null for loop-internal items, which restore their own.</summary>
    public readonly ExecutionContext? Context;

    public WorkItem(Delegate? callback, object? state, ExecutionContext? context)
    {
        Callback = callback;
        State = state;
        Context = context;
    }

    /// <summary>Runs the item; <paramref name="current"/> is the execution context the thread is known to be in.</summary>
    public void Invoke(ExecutionContext? current)
    {
        if (Context is not null && !ReferenceEquals(Context, current))
        {
            ExecutionContext.Restore(Context);
        }

        switch (Callback)
        {
            case null:
                ((ILoopWorkItem)State!).Execute();
                break;
            case Action<object?> action:
                action(State);
                break;
            default:
                ((SendOrPostCallback)Callback)(State);
                break;
        }
    }
}
