namespace Bridge.Runtimes;

/// <summary>
/// A growable ring buffer of <see cref="WorkItem"/> that supports push at both ends (the run queue:
/// wake-ups go to the tail, a forking parent to the head). Not thread-safe: the loop thread owns it.
/// The buffer only grows, so a steady state enqueues and dequeues without allocating.
/// </summary>
internal sealed class WorkQueue
{
    private WorkItem[] _items;
    private int _head;
    private int _count;

    public WorkQueue(int capacity = 64)
    {
        _items = new WorkItem[Math.Max(4, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)capacity))];
    }

    public int Count => _count;

    public void PushTail(in WorkItem item)
    {
        if (_count == _items.Length)
        {
            Grow();
        }

        _items[(_head + _count) & (_items.Length - 1)] = item;
        _count++;
    }

    public void PushHead(in WorkItem item)
    {
        if (_count == _items.Length)
        {
            Grow();
        }

        _head = (_head - 1) & (_items.Length - 1);
        _items[_head] = item;
        _count++;
    }

    public bool TryPop(out WorkItem item)
    {
        if (_count == 0)
        {
            item = default;
            return false;
        }

        item = _items[_head];
        _items[_head] = default; // let the GC have the delegate and state
        _head = (_head + 1) & (_items.Length - 1);
        _count--;
        return true;
    }

    /// <summary>A copy of the queued items, head first (diagnostics: a debugger reads it with the loop stopped).</summary>
    public WorkItem[] ToArray()
    {
        var copy = new WorkItem[_count];
        for (int i = 0; i < copy.Length; i++)
        {
            copy[i] = _items[(_head + i) & (_items.Length - 1)];
        }

        return copy;
    }

    /// <summary>Drops every item; returns how many there were.</summary>
    public int Clear()
    {
        int n = _count;
        int first = Math.Min(n, _items.Length - _head);
        Array.Clear(_items, _head, first); // only the occupied slots: a large, mostly empty buffer stays cheap
        Array.Clear(_items, 0, n - first);
        _head = 0;
        _count = 0;
        return n;
    }

    private void Grow()
    {
        var bigger = new WorkItem[_items.Length * 2];
        for (int i = 0; i < _count; i++)
        {
            bigger[i] = _items[(_head + i) & (_items.Length - 1)];
        }

        _items = bigger;
        _head = 0;
    }
}
