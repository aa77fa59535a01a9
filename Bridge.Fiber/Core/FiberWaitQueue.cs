namespace Bridge.Fibers;

/// <summary>
/// The one waiter mechanism under every blocking primitive (fiber promise, stream, mutex, semaphore, condition): a FIFO
/// of suspended fibers threaded through the fibers themselves, so waiting allocates nothing and a cancelled waiter is
/// unlinked in O(1). A fiber waits in at most one queue at a time, and a fiber in no queue has no
/// <see cref="FiberContext.WaitPrev"/>: so "is it still here?" needs no back-pointer (fibers are many; keep them small).
/// Not synchronised: the owning primitive holds its lock around every call.
/// </summary>
internal sealed class FiberWaitQueue
{
    private FiberContext? _head;
    private FiberContext? _tail;

    public int Count { get; private set; }

    public bool IsEmpty => _head is null;

    public void Enqueue(FiberContext fiber)
    {
        fiber.WaitPrev = _tail;
        fiber.WaitNext = null;
        if (_tail is null)
        {
            _head = fiber;
        }
        else
        {
            _tail.WaitNext = fiber;
        }

        _tail = fiber;
        Count++;
    }

    public bool TryDequeue(out FiberContext fiber)
    {
        fiber = _head!;
        if (fiber is null)
        {
            return false;
        }

        Remove(fiber);
        return true;
    }

    public FiberContext? Peek() => _head;

    /// <summary>
    /// Unlinks <paramref name="fiber"/> if it waits here; false if it had already been taken out. The caller knows the
    /// fiber waited in this queue, if in any (it is the queue of the primitive whose cancel hook the fiber armed).
    /// </summary>
    public bool Remove(FiberContext fiber)
    {
        if (fiber.WaitPrev is null && _head != fiber)
        {
            return false;
        }

        if (fiber.WaitPrev is null)
        {
            _head = fiber.WaitNext;
        }
        else
        {
            fiber.WaitPrev.WaitNext = fiber.WaitNext;
        }

        if (fiber.WaitNext is null)
        {
            _tail = fiber.WaitPrev;
        }
        else
        {
            fiber.WaitNext.WaitPrev = fiber.WaitPrev;
        }

        fiber.WaitPrev = fiber.WaitNext = null;
        Count--;
        return true;
    }

    /// <summary>
    /// The cancel hook shared by the primitives: unlink <paramref name="fiber"/> under the primitive's gate and, if it was
    /// still waiting (no hand-off won the race), resume it with <paramref name="error"/>.
    /// </summary>
    public static void CancelWaiter(ref SpinGate gate, FiberWaitQueue queue, FiberContext fiber, CancelledException error)
    {
        gate.Enter();
        bool removed = queue.Remove(fiber);
        gate.Exit();
        if (removed)
        {
            fiber.Resume(error);
        }
    }

    /// <summary>
    /// Takes every waiter out without allocating: returns the first, still chained to the others through
    /// <see cref="FiberContext.WaitNext"/>. Each is already unlinked from this queue (no <c>WaitPrev</c>, not the head:
    /// a racing cancellation finds nothing to remove); the caller hands the chain to <see cref="ResumeDetached"/> once it
    /// has released its lock.
    /// </summary>
    public FiberContext? DetachAll()
    {
        var first = _head;
        for (var fiber = first; fiber is not null; fiber = fiber.WaitNext)
        {
            fiber.WaitPrev = null;
        }

        _head = _tail = null;
        Count = 0;
        return first;
    }

    /// <summary>
    /// Resumes, in order, the chain <see cref="DetachAll"/> returned, once the primitive's lock is released. Reads each
    /// link before resuming its fiber: a fiber resumed on another loop may run, and wait elsewhere, before the walk ends.
    /// </summary>
    public static void ResumeDetached(FiberContext? first)
    {
        var running = FiberContext.Running;
        for (var fiber = first; fiber is not null;)
        {
            var next = fiber.WaitNext;
            fiber.WaitPrev = fiber.WaitNext = null;
            fiber.Resume(null, running);
            fiber = next;
        }
    }

    /// <summary>Takes every waiter out, in order.</summary>
    public List<FiberContext> TakeAll()
    {
        var all = new List<FiberContext>(Count);
        while (TryDequeue(out var fiber))
        {
            all.Add(fiber);
        }

        return all;
    }
}
