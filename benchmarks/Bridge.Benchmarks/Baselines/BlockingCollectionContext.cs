using System.Collections.Concurrent;

namespace Bridge.Benchmarks.Baselines;

/// <summary>
/// The baseline single-thread loop: Nito.AsyncEx's AsyncContext design without the library — a
/// <see cref="SynchronizationContext"/> whose posts go into a <see cref="BlockingCollection{T}"/> pumped by one thread.
/// </summary>
public sealed class BlockingCollectionContext : SynchronizationContext, IDisposable
{
    private readonly BlockingCollection<(SendOrPostCallback Callback, object? State)> _queue = new();

    public override void Post(SendOrPostCallback d, object? state) => _queue.Add((d, state));

    public override SynchronizationContext CreateCopy() => this;

    /// <summary>Pumps until <paramref name="done"/> is true (checked after each item).</summary>
    public void RunUntil(Func<bool> done)
    {
        var previous = Current;
        SetSynchronizationContext(this);
        try
        {
            while (!done())
            {
                var (callback, state) = _queue.Take();
                callback(state);
            }
        }
        finally
        {
            SetSynchronizationContext(previous);
        }
    }

    /// <summary>Runs <paramref name="main"/> on this context until its task completes (AsyncContext.Run).</summary>
    public static void Run(Func<Task> main)
    {
        using var context = new BlockingCollectionContext();
        var previous = Current;
        SetSynchronizationContext(context);
        Task task;
        try
        {
            task = main();
        }
        finally
        {
            SetSynchronizationContext(previous);
        }

        context.RunUntil(() => task.IsCompleted);
        task.GetAwaiter().GetResult();
    }

    public void Dispose() => _queue.Dispose();
}
