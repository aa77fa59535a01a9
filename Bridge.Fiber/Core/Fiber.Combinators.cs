namespace Bridge.Fibers;

public static partial class Fiber
{
    /// <summary>
    /// Runs <paramref name="first"/> and <paramref name="second"/> concurrently and waits for both (Eio <c>Fiber.both</c>):
    /// <paramref name="first"/> is forked and runs first; <paramref name="second"/> runs in the calling fiber. If either
    /// fails, the other is cancelled; the original exception is rethrown once both have finished.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static ValueTask Both(Func<ValueTask> first, Func<ValueTask> second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        return All(first, second);
    }

    /// <summary>
    /// Runs every function concurrently and waits for all (Eio <c>Fiber.all</c>): all but the last are forked in order,
    /// the last runs in the calling fiber after a switch check. The first failure cancels the rest.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="bodies"/> or an element is null.</exception>
    public static async ValueTask All(params Func<ValueTask>[] bodies)
    {
        ArgumentNullException.ThrowIfNull(bodies);
        foreach (var body in bodies)
        {
            ArgumentNullException.ThrowIfNull(body, nameof(bodies));
        }

        if (bodies.Length == 0)
        {
            return;
        }

        await Switch.Run(async sw =>
        {
            for (int i = 0; i < bodies.Length - 1; i++)
            {
                Fork(sw, bodies[i]);
            }

            sw.Check();
            await bodies[^1]().ConfigureAwait(true);
        }, "all").ConfigureAwait(true);
    }

    /// <summary>
    /// Runs both concurrently and returns both results (Eio <c>Fiber.pair</c>): <paramref name="first"/> is forked as a
    /// promise, <paramref name="second"/> runs in the calling fiber.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static ValueTask<(TA, TB)> Pair<TA, TB>(Func<ValueTask<TA>> first, Func<ValueTask<TB>> second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        return Switch.Run<(TA, TB)>(async sw =>
        {
            var a = ForkPromise(sw, first);
            TB b = await second().ConfigureAwait(true);
            return (await a, b);
        }, "pair");
    }

    /// <summary>
    /// Runs both and returns the result of the first to <em>return</em>, cancelling the other (Eio <c>Fiber.first</c>).
    /// Both may succeed: a later result is folded in with <paramref name="combine"/> (default: keep the first). A winner's
    /// value is returned even if the caller is being cancelled meanwhile.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="first"/> or <paramref name="second"/> is null.</exception>
    public static ValueTask<T> First<T>(Func<ValueTask<T>> first, Func<ValueTask<T>> second, Func<T, T, T>? combine = null)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        return Any([first, second], combine);
    }

    /// <summary>
    /// <see cref="First{T}"/> for a list (Eio <c>Fiber.any</c>): all but the last are forked (without a switch or
    /// cancellation check), the last runs in the caller. An empty list waits until cancelled.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="bodies"/> or an element is null.</exception>
    public static async ValueTask<T> Any<T>(IReadOnlyList<Func<ValueTask<T>>> bodies, Func<T, T, T>? combine = null)
    {
        ArgumentNullException.ThrowIfNull(bodies);
        var fiber = FiberContext.Require("Fiber.Any");
        var state = await RunAny(fiber, bodies, combine).ConfigureAwait(true);
        return state.HasValue ? state.Value : throw state.Error!;
    }

    /// <summary>
    /// Like <see cref="Any{T}"/>, but returns every successful result, in the order the branches finished
    /// (Eio <c>Fiber.n_any</c>).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="bodies"/> or an element is null.</exception>
    public static async ValueTask<IReadOnlyList<T>> NAny<T>(IReadOnlyList<Func<ValueTask<T>>> bodies)
    {
        ArgumentNullException.ThrowIfNull(bodies);
        var fiber = FiberContext.Require("Fiber.NAny");
        var wrapped = bodies.Select<Func<ValueTask<T>>, Func<ValueTask<List<T>>>>(body =>
        {
            ArgumentNullException.ThrowIfNull(body, nameof(bodies));
            return async () => [await body().ConfigureAwait(true)];
        }).ToList();
        var state = await RunAny(fiber, wrapped, static (a, b) => [.. a, .. b]).ConfigureAwait(true);
        return state.HasValue ? state.Value : throw state.Error!;
    }

    private static async ValueTask<AnyState<T>> RunAny<T>(FiberContext fiber, IReadOnlyList<Func<ValueTask<T>>> bodies, Func<T, T, T>? combine)
    {
        foreach (var body in bodies)
        {
            ArgumentNullException.ThrowIfNull(body, nameof(bodies));
        }

        var parent = fiber.CancelContext;
        parent.Check(); // Eio's any enters a sub-context, which checks first: a cancelled caller starts no branch
        var context = new CancelContext(fiber.Runtime, parent, isProtected: false, "any");
        var state = new AnyState<T>(context, combine);
        var outer = fiber.EnterContext(context);
        try
        {
            if (bodies.Count == 0)
            {
                await AwaitCancel().ConfigureAwait(true);
            }

            for (int i = 0; i < bodies.Count - 1; i++)
            {
                var body = bodies[i];
                state.Started();
                var child = new FiberContext(fiber.Runtime, context, fiber.Bindings, state);
                child.Start(() => state.Wrap(body));
            }

            await state.Wrap(bodies[^1]).ConfigureAwait(true);
            await Cancel.Protect(async () => await state.AwaitBranches()).ConfigureAwait(true);
        }
        finally
        {
            fiber.EnterContext(outer);
            context.Finish();
        }

        if (state.Error is null && state.HasValue)
        {
            return state; // a winner is returned even if the parent is being cancelled
        }

        if (parent.IsCancelling)
        {
            var cancelled = new CancelledException(parent.Reason!);
            throw state.Error is null ? cancelled : MultipleExceptions.Combine(state.Error, cancelled);
        }

        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(state.Error!);
        return state;
    }
}
