using Bridge.Runtimes;

namespace Bridge.Runtimes.Tests;

public class PostTests
{
    [Fact]
    public void Posts_from_four_threads_all_run_exactly_once_in_per_thread_order()
    {
        const int Threads = 4;
        const int PerThread = 250_000;
        using var loop = TestLoops.Virtual("posts");
        var next = new int[Threads];
        int total = 0;
        bool outOfOrder = false;
        bool offThread = false;
        int loopThread = Environment.CurrentManagedThreadId;
        Action<object?> record = state =>
        {
            long v = (long)state!;
            int t = (int)(v >> 32);
            int i = (int)v;
            if (next[t] != i)
            {
                outOfOrder = true;
            }

            next[t] = i + 1;
            total++;
            offThread |= Environment.CurrentManagedThreadId != loopThread;
        };

        // Each producer is an external operation while it runs: the idle loop waits for it instead of reporting a deadlock.
        var producers = new Thread[Threads];
        var operations = new ExternalOperation[Threads];
        for (int t = 0; t < Threads; t++)
        {
            int id = t;
            operations[t] = loop.TrackExternalOperation();
            producers[t] = new Thread(() =>
            {
                using var operation = operations[id];
                for (int i = 0; i < PerThread; i++)
                {
                    loop.Post(record, ((long)id << 32) | (uint)i);
                }
            });
        }

        foreach (var p in producers)
        {
            p.Start();
        }

        loop.RunUntil(() => total == Threads * PerThread);
        foreach (var p in producers)
        {
            p.Join();
        }

        Assert.False(outOfOrder);
        Assert.False(offThread);
        Assert.All(next, n => Assert.Equal(PerThread, n));
        Assert.Equal(Threads * PerThread, total);
        Assert.Equal(0, loop.QueuedCount);
        Assert.False(loop.HasQueuedWork);
    }

    [Fact]
    public void Post_wakes_an_idle_loop()
    {
        using var loop = TestLoops.Virtual();
        using var operation = loop.TrackExternalOperation();
        bool ran = false;
        var poster = new Thread(() =>
        {
            SpinWait.SpinUntil(() => loop.IsWaitingForWork);
            loop.Post(_ => ran = true, null);
        });
        poster.Start();
        loop.RunUntil(() => ran);
        poster.Join();
        Assert.True(ran);
        Assert.True(loop.IdleWaits >= 1);
    }

    [Fact]
    public void Posts_from_one_thread_keep_fifo_order_with_loop_items()
    {
        using var loop = TestLoops.Virtual();
        var trace = new List<string>();
        loop.Post(_ => trace.Add("p1"), null);
        loop.Post(_ => trace.Add("p2"), null);
        loop.Enqueue(_ => trace.Add("e1"), null);
        loop.RunUntil(() => trace.Count == 3);
        // Posts move to the run queue at the start of an iteration, behind what is already queued.
        Assert.Equal(["e1", "p1", "p2"], trace);
    }

    [Fact]
    public void Post_after_Dispose_throws()
    {
        var loop = TestLoops.Virtual("gone");
        loop.Dispose();
        var e = Assert.Throws<InvalidOperationException>(() => loop.Post(_ => { }, null));
        Assert.Contains("'gone'", e.Message);
        Assert.Throws<InvalidOperationException>(() => loop.SynchronizationContext.Post(_ => { }, null));
        Assert.Throws<InvalidOperationException>(() => loop.RunUntil(() => true));
        Assert.Throws<InvalidOperationException>(() => loop.StartTimer(TimeSpan.Zero, _ => { }, null));
    }

    [Fact]
    public void Enqueue_after_Dispose_throws_instead_of_dropping_the_item()
    {
        var loop = TestLoops.Virtual("gone");
        loop.Dispose();
        Assert.Throws<InvalidOperationException>(() => loop.Enqueue(_ => { }, null));
        Assert.Throws<InvalidOperationException>(() => loop.EnqueueAtHead(_ => { }, null));
    }

    [Fact]
    public void Dispose_with_queued_work_throws_naming_the_count()
    {
        var loop = TestLoops.Virtual();
        loop.Enqueue(_ => { }, null);
        loop.Post(_ => { }, null);
        var e = Assert.Throws<InvalidOperationException>(loop.Dispose);
        Assert.Contains("2 work item(s)", e.Message);
        loop.Dispose(); // idempotent
    }

    [Fact]
    public void Dispose_with_queued_work_reports_to_the_unhandled_hook()
    {
        var errors = new List<Exception>();
        var loop = TestLoops.Virtual(unhandled: errors.Add);
        loop.Post(_ => { }, null);
        loop.Dispose();
        var e = Assert.IsType<InvalidOperationException>(Assert.Single(errors));
        Assert.Contains("1 work item(s)", e.Message);
    }

    [Fact]
    public void Posts_racing_Dispose_are_either_reported_by_Dispose_or_rejected_never_silently_lost()
    {
        for (int round = 0; round < 20; round++)
        {
            var reports = new List<Exception>();
            var loop = TestLoops.Virtual(unhandled: reports.Add);
            int accepted = 0;
            Exception? rejected = null;
            using var started = new ManualResetEventSlim();
            var poster = new Thread(() =>
            {
                started.Set();
                try
                {
                    while (true)
                    {
                        loop.Post(_ => { }, null);
                        accepted++;
                    }
                }
                catch (InvalidOperationException e)
                {
                    rejected = e;
                }
            });
            poster.Start();
            started.Wait();
            SpinWait.SpinUntil(() => Volatile.Read(ref accepted) > 100);
            loop.Dispose();
            poster.Join();

            Assert.NotNull(rejected);
            var report = Assert.IsType<InvalidOperationException>(Assert.Single(reports));
            int reported = int.Parse(report.Message.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
            // Every accepted post was reported by Dispose; the rejected one may have been counted too.
            Assert.InRange(reported, accepted, accepted + 1);
        }
    }

    [Fact]
    public void Dispose_while_running_throws()
    {
        using var loop = TestLoops.Virtual();
        Exception? error = null;
        loop.RunOn(() => error = Record.Exception(loop.Dispose), () => error is not null);
        Assert.IsType<InvalidOperationException>(error);
    }
}
