namespace Bridge.Fibers;

/// <summary>
/// A counting semaphore for fibers (Eio's <c>Semaphore</c>), thread-safe across loops: <see cref="Acquire"/> takes a
/// token at once if one is free, else waits FIFO (cancellably); <see cref="Release"/> hands the token straight to the
/// longest waiter.
/// </summary>
public sealed class FiberSemaphore : ICancelHook, IWaitSite
{
    private SpinGate _gate;
    private readonly FiberWaitQueue _waiters = new();
    private int _value;

    /// <summary>Creates a semaphore with <paramref name="initialCount"/> tokens (Eio <c>Semaphore.make</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="initialCount"/> is negative.</exception>
    public FiberSemaphore(int initialCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(initialCount);
        _value = initialCount;
    }

    /// <summary>Free tokens now; never negative (Eio <c>Semaphore.get_value</c>).</summary>
    public int Value
    {
        get
        {
            return Volatile.Read(ref _value);
        }
    }

    /// <summary>Takes a token, waiting if none is free (Eio <c>Semaphore.acquire</c>).</summary>
    /// <exception cref="CancelledException">Cancelled while it had to wait.</exception>
    /// <exception cref="InvalidOperationException">Not called from a fiber.</exception>
    public WaitAwaiter Acquire()
    {
        var fiber = FiberContext.Require("FiberSemaphore.Acquire");
        _gate.Enter();
        if (_value > 0)
        {
            _value--;
            _gate.Exit();
            return default;
        }

        _gate.Exit();
        fiber.CheckCanWait();
        fiber.Check();
        return new WaitAwaiter(this, fiber);
    }

    /// <summary>Returns a token, handing it to the longest waiter if any (Eio <c>Semaphore.release</c>). Never switches fibers.</summary>
    /// <exception cref="OverflowException">The count would exceed <see cref="int.MaxValue"/>.</exception>
    public void Release()
    {
        _gate.Enter();
        if (_waiters.TryDequeue(out var next))
        {
            _gate.Exit();
            next.Resume();
            return;
        }

        if (_value == int.MaxValue)
        {
            _gate.Exit();
            throw new OverflowException("FiberSemaphore.Release: the count would exceed Int32.MaxValue.");
        }

        _value++;
        _gate.Exit();
    }

    void IWaitSite.Register(FiberContext fiber)
    {
        _gate.Enter();
        if (_value == 0)
        {
            _waiters.Enqueue(fiber);
            fiber.SetCancelHook(this);
            _gate.Exit();
            return;
        }

        _value--;
        _gate.Exit();
        fiber.Resume();
    }

    void ICancelHook.Cancel(FiberContext fiber, CancelledException error)
    {
        FiberWaitQueue.CancelWaiter(ref _gate, _waiters, fiber, error);
    }
}
