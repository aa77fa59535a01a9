using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;

namespace Bridge.Fibers;

/// <summary>How a <see cref="FiberMethodBuilder"/> method suspends on an awaiter: the shared half of both builders.</summary>
internal static class FiberMethodAwait
{
    /// <summary>
    /// Hands <paramref name="box"/> to what is awaited. Bridge's awaiters and ValueTask sources (Fiber.Yield, promises,
    /// other FiberMethodBuilder methods) take the box itself; anything else gets the box's
    /// <see cref="FiberMethodBox.MoveNextAction"/>, as from a standard builder. The type tests on
    /// <typeparamref name="TAwaiter"/> are constants for each struct awaiter: the JIT keeps one branch.
    /// </summary>
    public static void UnsafeOnCompleted<TAwaiter>(ref TAwaiter awaiter, FiberMethodBox box)
        where TAwaiter : ICriticalNotifyCompletion
    {
        if (default(TAwaiter) is not null && awaiter is IFiberAwaiter)
        {
            ((IFiberAwaiter)awaiter).ParkMethod(box);
            return;
        }

        if (typeof(TAwaiter) == typeof(ValueTaskAwaiter) && ValueTaskParts.Available)
        {
            ref var task = ref ValueTaskParts.Of(ref Unsafe.As<TAwaiter, ValueTaskAwaiter>(ref awaiter));
            object? source = ValueTaskParts.Source(ref task);
            if (source is FiberContext fiber)
            {
                fiber.YieldMethod(box); // await Fiber.Yield()
                return;
            }

            if (source is IValueTaskSource valueTaskSource)
            {
                var flags = ValueTaskParts.ContinueOnCapturedContext(ref task)
                    ? ValueTaskSourceOnCompletedFlags.UseSchedulingContext
                    : ValueTaskSourceOnCompletedFlags.None;
                valueTaskSource.OnCompleted(FiberMethodBox.ResumeInvoker, box, ValueTaskParts.Token(ref task), flags);
                return;
            }
        }
        else if (default(TAwaiter) is not null && ValueTaskParts<TAwaiter>.Reader is { } reader && reader.TryOnCompleted(ref awaiter, box))
        {
            return; // await of a ValueTask<T> over a source: a FiberPromise<T>, a typed FiberMethodBuilder method
        }

        awaiter.UnsafeOnCompleted(box.MoveNextAction);
    }
}
