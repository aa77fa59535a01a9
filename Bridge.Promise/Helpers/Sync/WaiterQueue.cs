namespace Bridge.Promises;

/// <summary>
/// The waiter queues of the helpers (mutex, condition, MVar, pool, stream) hold cancelable promises. Lwt unlinks a
/// canceled waiter from its sequence at once; here a canceled one is skipped when its turn comes, and the queue is
/// pruned whenever it has doubled since the last pruning — otherwise a lock or a read that is only ever given up
/// (timeouts) would keep every canceled waiter until the next wake-up. Amortized O(1) per wait; FIFO order kept.
/// </summary>
internal static class WaiterQueue
{
    /// <summary>The size below which a queue is never pruned (the initial value of an owner's threshold).</summary>
    public const int MinPruneAt = 32;

    /// <summary>Enqueues <paramref name="waiter"/>, then prunes the entries no longer waiting if the queue reached <paramref name="pruneAt"/>.</summary>
    public static void EnqueuePruning<T>(Queue<T> queue, T waiter, Func<T, bool> isWaiting, ref int pruneAt)
    {
        queue.Enqueue(waiter);
        if (queue.Count < pruneAt)
        {
            return;
        }

        int count = queue.Count;
        int live = 0;
        for (int i = 0; i < count; i++)
        {
            var entry = queue.Dequeue();
            if (isWaiting(entry))
            {
                queue.Enqueue(entry);
                live++;
            }
        }

        pruneAt = Math.Max(MinPruneAt, 2 * live);
    }
}
