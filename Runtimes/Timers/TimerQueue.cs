namespace Bridge.Runtimes;

/// <summary>
/// The loop's timers, in deadline order with ties in registration order (Eio's mock clock and
/// Lwt_engine agree on this). Cancelled timers are removed lazily when they reach the top, so cancelling
/// is O(1) and thread-safe; <see cref="TryPeek"/> never reports one. Loop thread only.
/// </summary>
internal sealed class TimerQueue
{
    /// <summary>The heap key: a struct with an inlined comparison, so sifting makes no interface call per compare.</summary>
    private readonly struct Key(long deadline, long sequence) : IComparable<Key>
    {
        private readonly long _deadline = deadline;
        private readonly long _sequence = sequence;

        public int CompareTo(Key other)
            => _deadline != other._deadline ? (_deadline < other._deadline ? -1 : 1)
             : _sequence.CompareTo(other._sequence);
    }

    private readonly PriorityQueue<LoopTimer, Key> _heap = new();

    public void Add(LoopTimer timer) => _heap.Enqueue(timer, new Key(timer.Deadline, timer.Sequence));

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
