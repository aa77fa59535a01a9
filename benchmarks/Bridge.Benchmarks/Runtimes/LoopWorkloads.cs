using System.Collections.Concurrent;
using Bridge.Benchmarks.Baselines;
using Bridge.Runtimes;

namespace Bridge.Benchmarks.Runtimes;

/// <summary>
/// The loop workloads, each in Bridge's version and the baseline's (the AsyncEx-style <see cref="BlockingCollectionContext"/>),
/// shared by the BenchmarkDotNet classes and the <c>--quick</c> rows so both measure exactly the same job.
/// </summary>
internal static class LoopWorkloads
{
    private static EventLoop NewLoop(bool virtualTime = false) => new(new EventLoopOptions
    {
        Name = "bench",
        VirtualTime = virtualTime,
        DeadlockDetection = DeadlockDetectionMode.Disabled,
    });

    /// <summary>A counter the callbacks bump; a class so that a static callback can take it as state without allocating.</summary>
    private sealed class Counter
    {
        public int Value;

        public static readonly Action<object?> Increment = static s => ((Counter)s!).Value++;

        public static readonly SendOrPostCallback IncrementSendOrPost = static s => ((Counter)s!).Value++;
    }

    // ---------------------------------------------------------------- cross-thread Post, 1 producer -> loop

    /// <summary>Other work that keeps the loop thread busy (it re-queues itself) until every post has arrived.</summary>
    private sealed class Spinner(EventLoop loop, Counter counter, int target) : ILoopWorkItem
    {
        public bool Stopped;

        public void Execute()
        {
            if (Volatile.Read(ref counter.Value) < target)
            {
                loop.Enqueue(this);
            }
            else
            {
                Stopped = true;
            }
        }
    }

    /// <summary>
    /// One producer thread posts n items to a long-lived loop. Busy: the loop has other work the whole time, so it never
    /// sleeps; idle: it sleeps whenever it has caught up and a post may have to wake it.
    /// </summary>
    public sealed class PostRig : IDisposable
    {
        private readonly EventLoop _loop = NewLoop();

        public void Run(int n, bool busy)
        {
            var loop = _loop;
            var counter = new Counter();
            var producer = new Thread(() =>
            {
                var increment = Counter.Increment;
                for (int i = 0; i < n; i++)
                {
                    loop.Post(increment, counter);
                }
            });
            Spinner? spinner = null;
            if (busy)
            {
                spinner = new Spinner(loop, counter, n);
                loop.Enqueue(spinner);
            }

            producer.Start();
            loop.RunUntil(() => counter.Value == n && (spinner is null || spinner.Stopped));
            producer.Join();
        }

        public void Dispose() => _loop.Dispose();
    }

    /// <inheritdoc cref="PostRig"/>
    public sealed class BaselinePostRig : IDisposable
    {
        private readonly BlockingCollectionContext _context = new();

        public void Run(int n, bool busy)
        {
            var context = _context;
            var counter = new Counter();
            var producer = new Thread(() =>
            {
                var increment = Counter.IncrementSendOrPost;
                for (int i = 0; i < n; i++)
                {
                    context.Post(increment, counter);
                }
            });
            bool stopped = !busy;
            SendOrPostCallback? spin = null;
            spin = _ =>
            {
                if (Volatile.Read(ref counter.Value) < n)
                {
                    context.Post(spin!, null);
                }
                else
                {
                    stopped = true;
                }
            };
            if (busy)
            {
                context.Post(spin, null);
            }

            producer.Start();
            context.RunUntil(() => counter.Value == n && stopped);
            producer.Join();
        }

        public void Dispose() => _context.Dispose();
    }

    // ---------------------------------------------------------------- await Task.Yield() ping-pong

    private static async Task PingPong(int n)
    {
        for (int i = 0; i < n; i++)
        {
            await Task.Yield();
        }
    }

    /// <summary>Two async methods on the loop alternate through <c>await Task.Yield()</c>, <paramref name="n"/> yields each.</summary>
    public static void OursYield(int n)
    {
        using var loop = NewLoop();
        Task? both = null;
        loop.Enqueue(_ => both = Task.WhenAll(PingPong(n), PingPong(n)), null);
        loop.RunUntil(() => both is { IsCompleted: true });
        both!.GetAwaiter().GetResult();
    }

    /// <inheritdoc cref="OursYield"/>
    public static void BaselineYield(int n) => BlockingCollectionContext.Run(() => Task.WhenAll(PingPong(n), PingPong(n)));

    // ---------------------------------------------------------------- Enqueue + run of a pre-allocated item

    /// <summary>A pre-allocated item that re-queues itself: each run is one Enqueue and one dispatch.</summary>
    private sealed class Requeuer(EventLoop loop) : ILoopWorkItem
    {
        public int Remaining;

        public void Execute()
        {
            if (--Remaining > 0)
            {
                loop.Enqueue(this);
            }
        }
    }

    /// <summary>A reusable loop and item, so the steady state (not the setup) is what is measured.</summary>
    public sealed class EnqueueRig : IDisposable
    {
        private readonly EventLoop _loop = NewLoop();
        private readonly Requeuer _item;
        private readonly Func<bool> _done;

        public EnqueueRig()
        {
            _item = new Requeuer(_loop);
            _done = () => _item.Remaining == 0;
        }

        public void Run(int n)
        {
            _item.Remaining = n;
            _loop.Enqueue(_item);
            _loop.RunUntil(_done);
        }

        public void Dispose() => _loop.Dispose();
    }

    /// <summary>The baseline's single-thread equivalent: <see cref="BlockingCollection{T}"/> Add then Take and invoke.</summary>
    public sealed class BlockingCollectionRig : IDisposable
    {
        private readonly BlockingCollection<(SendOrPostCallback Callback, object? State)> _queue = new();
        private readonly Counter _counter = new();

        public void Run(int n)
        {
            var callback = Counter.IncrementSendOrPost;
            for (int i = 0; i < n; i++)
            {
                _queue.Add((callback, _counter));
                var (d, s) = _queue.Take();
                d(s);
            }
        }

        public void Dispose() => _queue.Dispose();
    }

    // ---------------------------------------------------------------- timers on virtual time

    /// <summary>Distinct deadlines (in ticks) in a shuffled order: every timer is its own jump of the clock.</summary>
    public static long[] ShuffledDeadlines(int n)
    {
        var deadlines = new long[n];
        for (int i = 0; i < n; i++)
        {
            deadlines[i] = (i + 1) * TimeSpan.TicksPerMillisecond;
        }

        new Random(12345).Shuffle(deadlines);
        return deadlines;
    }

    /// <summary>Starts one loop timer per deadline on virtual time and runs the loop until all have fired.</summary>
    public static void OursTimers(long[] deadlines)
    {
        using var loop = NewLoop(virtualTime: true);
        var counter = new Counter();
        var increment = Counter.Increment;
        foreach (long d in deadlines)
        {
            loop.StartTimer(TimeSpan.FromTicks(d), increment, counter);
        }

        int n = deadlines.Length;
        loop.RunUntil(() => counter.Value == n);
    }

    /// <summary>
    /// The floor for the same ordering job without a loop: a bare <see cref="PriorityQueue{TElement, TPriority}"/> keyed by
    /// (deadline, registration), drained in order and each callback invoked.
    /// </summary>
    public static void BaselineTimers(long[] deadlines)
    {
        var queue = new PriorityQueue<(Action<object?> Callback, object? State), (long Deadline, long Sequence)>();
        var counter = new Counter();
        var increment = Counter.Increment;
        long sequence = 0;
        foreach (long d in deadlines)
        {
            queue.Enqueue((increment, counter), (d, ++sequence));
        }

        while (queue.TryDequeue(out var timer, out _))
        {
            timer.Callback(timer.State);
        }
    }
}
