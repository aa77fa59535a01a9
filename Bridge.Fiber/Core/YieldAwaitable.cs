using System.Runtime.CompilerServices;

namespace Bridge.Fibers;

/// <summary>
/// <c>await Fiber.Yield()</c>: the fiber goes to the tail of the run queue (Eio <c>Fiber.yield</c>). Cancellation is
/// checked after resuming, so a cancelled fiber still lets the others run once before it throws.
/// </summary>
public readonly struct YieldAwaitable : ICriticalNotifyCompletion
{
    private readonly FiberContext _fiber;

    internal YieldAwaitable(FiberContext fiber)
    {
        _fiber = fiber;
    }

    /// <summary>Returns this awaitable.</summary>
    public YieldAwaitable GetAwaiter() => this;

    /// <summary>False: yielding always suspends (true only to report a second await pending in the fiber, see <see cref="GetResult"/>).</summary>
    public bool IsCompleted => _fiber.HasParkedContinuation;

    /// <summary>
    /// Throws <see cref="CancelledException"/> if the fiber was cancelled meanwhile, or <see cref="InvalidOperationException"/>
    /// if the yield was started while another await of the fiber was pending.
    /// </summary>
    public void GetResult()
    {
        if (_fiber.HasParkedContinuation)
        {
            throw _fiber.ConcurrentAwaitError();
        }

        _fiber.Check();
    }

    /// <summary>Queues the fiber at the tail of the run queue.</summary>
    public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

    /// <summary>Queues the fiber at the tail of the run queue.</summary>
    public void UnsafeOnCompleted(Action continuation)
    {
        _fiber.SuspendAndRequeue(continuation);
    }
}
