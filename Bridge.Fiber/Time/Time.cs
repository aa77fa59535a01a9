using Bridge.Runtimes;

namespace Bridge.Fibers;

/// <summary>Eio's <c>Time</c>: sleeping and timeouts on the run's clock (virtual under <c>Fiber.RunMock</c>).</summary>
public static class Time
{
    /// <summary>
    /// Suspends the fiber for <paramref name="duration"/> (Eio <c>Time.sleep</c>). A zero or negative duration still yields.
    /// Cancellable while sleeping.
    /// </summary>
    /// <exception cref="CancelledException">The fiber is cancelled.</exception>
    /// <exception cref="InvalidOperationException">Not called from a fiber.</exception>
    public static SleepAwaitable Sleep(TimeSpan duration) => new(FiberContext.Require("Time.Sleep"), duration);

    /// <summary>Suspends until the clock reads <paramref name="deadline"/> (Eio <c>Time.sleep_until</c>).</summary>
    /// <exception cref="CancelledException">The fiber is cancelled.</exception>
    /// <exception cref="InvalidOperationException">Not called from a fiber.</exception>
    public static SleepAwaitable SleepUntil(DateTimeOffset deadline)
    {
        var fiber = FiberContext.Require("Time.SleepUntil");
        return new SleepAwaitable(fiber, deadline - fiber.Loop.Time.GetUtcNow());
    }

    /// <summary>
    /// Runs <paramref name="body"/>, cancelling it and throwing <see cref="TimeoutException"/> if it takes longer than
    /// <paramref name="duration"/> (Eio <c>Time.with_timeout_exn</c>: <c>Fiber.first</c> of a sleep and the body).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    /// <exception cref="TimeoutException">The body did not finish in time.</exception>
    public static ValueTask<T> WithTimeout<T>(TimeSpan duration, Func<ValueTask<T>> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return Fiber.First<T>(
            async () =>
            {
                await Sleep(duration);
                throw NewTimeout(duration);
            },
            body);
    }

    /// <summary>
    /// Eio's <c>Timeout</c> is one shared value, so nested timeouts that fire together combine into one. Each of ours is a
    /// new object (an exception records where it was thrown), marked so that <see cref="MultipleExceptions.Combine"/>
    /// can treat two of them as one.
    /// </summary>
    internal static bool IsTimeout(Exception e) => e is TimeoutException && e.Data.Contains(TimeoutMark);

    private const string TimeoutMark = "Bridge.Fibers.Time.WithTimeout";

    private static TimeoutException NewTimeout(TimeSpan duration)
    {
        var timeout = new TimeoutException($"Timeout after {duration}");
        timeout.Data[TimeoutMark] = true;
        return timeout;
    }

    /// <summary>Like <see cref="WithTimeout{T}(TimeSpan, Func{ValueTask{T}})"/> for a body without a result.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    /// <exception cref="TimeoutException">The body did not finish in time.</exception>
    public static async ValueTask WithTimeout(TimeSpan duration, Func<ValueTask> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        await WithTimeout<Unit>(duration, async () =>
        {
            await body().ConfigureAwait(true);
            return default;
        }).ConfigureAwait(true);
    }
}
