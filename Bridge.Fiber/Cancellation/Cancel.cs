namespace Bridge.Fibers;

/// <summary>Eio's <c>Cancel</c>: sub-contexts and protection from cancellation for the current fiber.</summary>
public static class Cancel
{
    /// <summary>
    /// Runs <paramref name="body"/> in a new context that is <em>not</em> cancelled with its parent (Eio
    /// <c>Cancel.protect</c>). The parent is not re-checked on exit: the caller handles the result.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    /// <exception cref="InvalidOperationException">Not called from a fiber.</exception>
    public static async ValueTask Protect(Func<ValueTask> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        await Protect<Unit>(async () =>
        {
            await body().ConfigureAwait(true);
            return default;
        }).ConfigureAwait(true);
    }

    /// <summary>Like <see cref="Protect(Func{ValueTask})"/>, returning the body's result.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    /// <exception cref="InvalidOperationException">Not called from a fiber.</exception>
    public static async ValueTask<T> Protect<T>(Func<ValueTask<T>> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var fiber = FiberContext.Require("Cancel.Protect");
        var context = new CancelContext(fiber.Runtime, fiber.CancelContext, isProtected: true, "protect");
        var outer = fiber.EnterContext(context);
        try
        {
            return await body().ConfigureAwait(true);
        }
        finally
        {
            fiber.EnterContext(outer);
            context.Finish();
        }
    }

    /// <summary>
    /// Runs <paramref name="body"/> in a new child context that <paramref name="body"/> may cancel through its
    /// <see cref="CancelScope"/>; cancelling the parent cancels it too (Eio <c>Cancel.sub</c>). Checks the parent on entry.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    /// <exception cref="CancelledException">The calling fiber is already cancelled.</exception>
    /// <exception cref="InvalidOperationException">Not called from a fiber.</exception>
    public static async ValueTask Sub(Func<CancelScope, ValueTask> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        await Sub<Unit>(async scope =>
        {
            await body(scope).ConfigureAwait(true);
            return default;
        }).ConfigureAwait(true);
    }

    /// <summary>Like <see cref="Sub(Func{CancelScope, ValueTask})"/>, returning the body's result.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    /// <exception cref="CancelledException">The calling fiber is already cancelled.</exception>
    public static async ValueTask<T> Sub<T>(Func<CancelScope, ValueTask<T>> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var fiber = FiberContext.Require("Cancel.Sub");
        fiber.CancelContext.Check();
        var context = new CancelContext(fiber.Runtime, fiber.CancelContext, isProtected: false, "sub");
        var outer = fiber.EnterContext(context);
        try
        {
            return await body(new CancelScope(context)).ConfigureAwait(true);
        }
        finally
        {
            fiber.EnterContext(outer);
            context.Finish();
        }
    }
}
