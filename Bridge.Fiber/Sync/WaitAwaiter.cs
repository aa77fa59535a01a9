using System.Runtime.CompilerServices;

namespace Bridge.Fibers;

/// <summary>
/// The shared shape of a blocking operation's awaiter: <c>IsCompleted</c> when the operation already finished at
/// the call (no suspension, no cancellation check), otherwise <see cref="IWaitSite.Register"/> parks the fiber, and
/// <c>GetResult</c> rethrows what the wake-up carried (cancellation, poisoning).
/// </summary>
internal interface IWaitSite
{
    /// <summary>Re-checks under the primitive's lock and either parks <paramref name="fiber"/> (already suspended with its continuation) or wakes it at once.</summary>
    void Register(FiberContext fiber);
}

/// <summary>Awaiter for operations with no result (stream add, mutex lock, semaphore acquire, condition wait).</summary>
public readonly struct WaitAwaiter : ICriticalNotifyCompletion, IFiberAwaiter
{
    private readonly IWaitSite? _site;
    private readonly FiberContext? _fiber;

    internal WaitAwaiter(IWaitSite? site, FiberContext? fiber)
    {
        _site = site;
        _fiber = fiber;
    }

    /// <summary>Returns this awaiter.</summary>
    public WaitAwaiter GetAwaiter() => this;

    /// <summary>
    /// True when the operation completed without waiting — or when the fiber has meanwhile been parked by another,
    /// un-awaited wait: then <see cref="GetResult"/> reports that instead of parking it twice.
    /// </summary>
    public bool IsCompleted => _site is null || _fiber!.HasParkedContinuation;

    /// <summary>Rethrows a cancellation or poisoning delivered with the wake-up.</summary>
    /// <exception cref="InvalidOperationException">The fiber was parked on another wait when this one was awaited.</exception>
    public void GetResult()
    {
        if (_site is not null && _fiber!.HasParkedContinuation)
        {
            throw _fiber.ConcurrentAwaitError();
        }

        if (_fiber?.TakeResumeError() is { } error)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        }
    }

    /// <summary>Parks the fiber.</summary>
    public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

    /// <summary>Parks the fiber.</summary>
    public void UnsafeOnCompleted(Action continuation)
    {
        _fiber!.Suspend(continuation, null);
        _site!.Register(_fiber);
    }

    /// <summary>Parks the fiber with a <see cref="FiberMethodBuilder"/> method's box.</summary>
    void IFiberAwaiter.ParkMethod(FiberMethodBox box)
    {
        _fiber!.SuspendMethod(box, null);
        _site!.Register(_fiber);
    }
}

/// <summary>Awaiter for operations that produce a value (stream take).</summary>
/// <typeparam name="T">The value type.</typeparam>
public readonly struct WaitAwaiter<T> : ICriticalNotifyCompletion, IFiberAwaiter
{
    private readonly IWaitSite? _site;
    private readonly FiberContext? _fiber;
    private readonly T _value;

    internal WaitAwaiter(T value)
    {
        _value = value;
        _site = null;
        _fiber = null;
    }

    internal WaitAwaiter(IWaitSite site, FiberContext fiber)
    {
        _site = site;
        _fiber = fiber;
        _value = default!;
    }

    /// <summary>Returns this awaiter.</summary>
    public WaitAwaiter<T> GetAwaiter() => this;

    /// <summary>
    /// True when the value was available at the call — or when the fiber has meanwhile been parked by another,
    /// un-awaited wait: then <see cref="GetResult"/> reports that instead of parking it twice.
    /// </summary>
    public bool IsCompleted => _site is null || _fiber!.HasParkedContinuation;

    /// <summary>The value, handed over by whoever woke the fiber; rethrows a cancellation.</summary>
    /// <exception cref="InvalidOperationException">The fiber was parked on another wait when this one was awaited.</exception>
    public T GetResult()
    {
        if (_fiber is null)
        {
            return _value;
        }

        if (_fiber.HasParkedContinuation)
        {
            throw _fiber.ConcurrentAwaitError();
        }

        if (_fiber.TakeResumeError() is { } error)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        }

        return WaitBox<T>.Take(_fiber);
    }

    /// <summary>Parks the fiber.</summary>
    public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

    /// <summary>Parks the fiber.</summary>
    public void UnsafeOnCompleted(Action continuation)
    {
        _fiber!.Suspend(continuation, null);
        _site!.Register(_fiber);
    }

    /// <summary>Parks the fiber with a <see cref="FiberMethodBuilder"/> method's box.</summary>
    void IFiberAwaiter.ParkMethod(FiberMethodBox box)
    {
        _fiber!.SuspendMethod(box, null);
        _site!.Register(_fiber);
    }
}
