namespace Bridge.Runtimes;

/// <summary>
/// The loop's timers, in deadline order with ties in registration order (Eio's mock clock and
/// Lwt_engine agree on this). Cancelled timers are removed lazily when they reach the top, so cancelling
/// is O(1) and thread-safe; <see cref="TryPeek"/> never reports one. Loop thread only.
/// </summary>
internal sealed class TimerQueue
{
    private sealed class Order : IComparer<LoopTimer>
    {
        public static readonly Order Instance = new();

        public int Compare(LoopTimer? x, LoopTimer? y)
        {
            int c = x!.Deadline.CompareTo(y!.Deadline);
            return c != 0 ? c : x.Sequence.CompareTo(y.Sequence);
        }
    }

    private readonly PriorityQueue<LoopTimer, LoopTimer> _heap = new(Order.Instance);

    public void Add(LoopTimer timer) => _heap.Enqueue(timer, timer);

    /// <summary>The earliest live timer, dropping cancelled ones on the way.</summary>
    public bool TryPeek(out LoopTimer timer)
    {
        while (_heap.TryPeek(out timer!, out _))
        {
            if (!timer.IsCompleted)
            {
                return true;
            }

            _heap.Dequeue();
        }

        return false;
    }

    public void RemoveTop() => _heap.Dequeue();

    public int Count => _heap.Count;
}
