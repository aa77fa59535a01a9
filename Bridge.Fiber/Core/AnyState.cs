namespace Bridge.Fibers;

/// <summary>
/// The shared state of <c>Fiber.Any</c>/<c>First</c>/<c>NAny</c> (Eio's <c>any_gen</c>): the first branch to return
/// wins and cancels the others; later returns are folded in with <c>combine</c>; a <see cref="CancelledException"/>
/// caused by our own cancellation is ignored; the first error cancels the rest and later ones are combined.
/// </summary>
internal sealed class AnyState<T>(CancelContext context, Func<T, T, T>? combine) : IFiberOwner
{
    private FiberContext? _waiter;
    private int _running;

    public bool HasValue { get; private set; }

    public T Value { get; private set; } = default!;

    public Exception? Error { get; private set; }

    public void Started() => _running++;

    public async ValueTask Wrap(Func<ValueTask<T>> branch)
    {
        try
        {
            T value = await branch().ConfigureAwait(true);
            if (Error is not null)
            {
                return;
            }

            if (!HasValue)
            {
                HasValue = true;
                Value = value;
                context.Cancel(new NotFirstException());
            }
            else if (combine is not null)
            {
                Value = combine(Value, value);
            }
        }
        catch (CancelledException) when (context.IsCancelling)
        {
            // Our own cancellation (a winner or an error elsewhere): not an error of this branch.
        }
        catch (Exception e)
        {
            if (Error is null && !HasValue)
            {
                Error = e;
                context.Cancel(e);
            }
            else
            {
                Error = Error is null ? e : MultipleExceptions.Combine(Error, e);
                HasValue = false;
            }
        }
    }

    public void OnFiberFinished(FiberContext fiber, Exception? error)
    {
        if (--_running == 0 && _waiter is { } waiter)
        {
            _waiter = null;
            waiter.Resume();
        }
    }

    private void CancelBranches(Exception reason) => context.Cancel(reason);

    /// <summary>Waits (uncancellably) until every forked branch has finished.</summary>
    public BranchesAwaitable AwaitBranches() => new(this);

    /// <summary>
    /// The caller waiting for the forked branches. A caller left parked on a wait it never awaited cannot park here too:
    /// reported from <c>GetResult</c> (never from OnCompleted, which would end the process), after cancelling the
    /// branches so that none runs on unattended.
    /// </summary>
    internal readonly struct BranchesAwaitable(AnyState<T> state) : System.Runtime.CompilerServices.ICriticalNotifyCompletion
    {
        public BranchesAwaitable GetAwaiter() => this;

        public bool IsCompleted => state._running == 0 || FiberContext.RunningParkedElsewhere is not null;

        public void GetResult()
        {
            if (state._running > 0 && FiberContext.RunningParkedElsewhere is { } fiber)
            {
                var error = fiber.ConcurrentAwaitError();
                state.CancelBranches(error);
                throw error;
            }
        }

        public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

        public void UnsafeOnCompleted(Action continuation)
        {
            var fiber = FiberContext.Require("Fiber.Any");
            fiber.Suspend(continuation, null);
            state._waiter = fiber;
        }
    }
}
