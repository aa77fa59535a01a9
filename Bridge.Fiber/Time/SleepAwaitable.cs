using System.Runtime.CompilerServices;
using Bridge.Runtimes;

namespace Bridge.Fibers;

/// <summary>
/// <c>await Time.Sleep(d)</c>. A due-now sleep behaves like <c>Fiber.Yield</c> (Eio's mock clock does the same);
/// otherwise the fiber waits for a loop timer and cancellation stops the timer and resumes it with
/// <see cref="CancelledException"/>.
/// </summary>
public readonly struct SleepAwaitable : ICriticalNotifyCompletion, IFiberAwaiter
{
    private readonly FiberContext _fiber;
    private readonly TimeSpan _duration;

    internal SleepAwaitable(FiberContext fiber, TimeSpan duration)
    {
        _fiber = fiber;
        _duration = duration;
    }

    /// <summary>Returns this awaitable.</summary>
    public SleepAwaitable GetAwaiter() => this;

    /// <summary>
    /// False, except when the fiber is already cancelled and the sleep would block (then <see cref="GetResult"/> throws).
    /// </summary>
    public bool IsCompleted => (_duration > TimeSpan.Zero && _fiber.IsCancelled) || _fiber.HasParkedContinuation;

    /// <summary>
    /// Throws <see cref="CancelledException"/> if the sleep was cancelled. A sleep whose timer fired returns even if the
    /// fiber was cancelled afterwards (Eio: check at the start, not the end); a due-now sleep checks like <c>Yield</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The sleep was started while another await of the fiber was pending.</exception>
    public void GetResult()
    {
        if (_fiber.HasParkedContinuation)
        {
            throw _fiber.ConcurrentAwaitError();
        }

        bool fired = ReferenceEquals(_fiber.WaitSlot, TimerFired);
        _fiber.WaitSlot = null; // the fired mark, or the timer of a cancelled sleep
        if (_fiber.TakeResumeError() is { } error)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        }

        if (!fired)
        {
            _fiber.Check();
        }
    }

    private static readonly object TimerFired = new();

    /// <summary>Starts the wait.</summary>
    public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

    /// <summary>Starts the wait.</summary>
    public void UnsafeOnCompleted(Action continuation)
    {
        _fiber.Suspend(continuation, IsDueNow ? null : SleepCancel.Instance);
        Arm();
    }

    /// <summary>Starts the wait for a <see cref="FiberMethodBuilder"/> method, parking its box.</summary>
    void IFiberAwaiter.ParkMethod(FiberMethodBox box)
    {
        _fiber.SuspendMethod(box, IsDueNow ? null : SleepCancel.Instance);
        Arm();
    }

    private bool IsDueNow => _duration <= TimeSpan.Zero;

    /// <summary>After parking (same step, so nothing can cancel in between): a due-now sleep goes to the tail; others start a timer.</summary>
    private void Arm()
    {
        if (IsDueNow)
        {
            _fiber.ResumeSelf();
            return;
        }

        _fiber.WaitSlot = _fiber.Loop.StartTimer(_duration, static f =>
        {
            var fiber = (FiberContext)f!;
            fiber.WaitSlot = TimerFired; // replaces the timer, which is what cancellation stops
            fiber.Resume();
        }, _fiber);
    }

    private sealed class SleepCancel : ICancelHook
    {
        public static readonly SleepCancel Instance = new();

        public void Cancel(FiberContext fiber, CancelledException error)
        {
            if (fiber.WaitSlot is LoopTimer timer && timer.Cancel())
            {
                fiber.Resume(error);
            }
        }
    }
}
