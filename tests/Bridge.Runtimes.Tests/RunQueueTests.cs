using Bridge.Runtimes;

namespace Bridge.Runtimes.Tests;

public class RunQueueTests
{
    private sealed class Item(List<string> trace, string name) : ILoopWorkItem
    {
        public int Runs;

        public void Execute()
        {
            Runs++;
            trace.Add(name);
        }
    }

    [Fact]
    public void Enqueue_runs_items_in_fifo_order()
    {
        using var loop = TestLoops.Virtual();
        var trace = new List<int>();
        for (int i = 0; i < 10; i++)
        {
            loop.Enqueue(s => trace.Add((int)s!), i);
        }

        loop.RunUntil(() => trace.Count == 10);
        Assert.Equal(Enumerable.Range(0, 10), trace);
    }

    [Fact]
    public void EnqueueAtHead_runs_before_the_queued_items()
    {
        using var loop = TestLoops.Virtual();
        var trace = new List<string>();
        loop.RunOn(() =>
        {
            loop.Enqueue(_ => trace.Add("a"), null);
            loop.Enqueue(_ => trace.Add("b"), null);
            loop.EnqueueAtHead(_ => trace.Add("head1"), null);
            loop.EnqueueAtHead(_ => trace.Add("head2"), null);
            loop.Enqueue(new Item(trace, "c"));
            loop.EnqueueAtHead(new Item(trace, "head3"));
        }, () => trace.Count == 6);

        Assert.Equal(["head3", "head2", "head1", "a", "b", "c"], trace);
    }

    [Fact]
    public void Work_items_run_once_per_enqueue()
    {
        using var loop = TestLoops.Virtual();
        var trace = new List<string>();
        var item = new Item(trace, "x");
        loop.Enqueue(item);
        loop.Enqueue(item);
        loop.EnqueueAtHead(item);
        loop.RunUntil(() => trace.Count == 3);
        Assert.Equal(3, item.Runs);
        Assert.Equal(0, loop.QueuedCount);
    }

    [Fact]
    public void Queue_keeps_order_across_growth_with_a_wrapped_head()
    {
        using var loop = TestLoops.Virtual();
        var trace = new List<int>();
        // Alternate head and tail pushes so the ring buffer wraps, then grows several times.
        var expected = new LinkedList<int>();
        for (int i = 0; i < 5000; i++)
        {
            if (i % 3 == 0)
            {
                loop.EnqueueAtHead(s => trace.Add((int)s!), i);
                expected.AddFirst(i);
            }
            else
            {
                loop.Enqueue(s => trace.Add((int)s!), i);
                expected.AddLast(i);
            }
        }

        Assert.Equal(5000, loop.QueuedCount);
        loop.RunUntil(() => trace.Count == 5000);
        Assert.Equal(expected, trace);
    }

    [Fact]
    public void Items_enqueued_while_running_run_after_those_already_queued()
    {
        using var loop = TestLoops.Virtual();
        var trace = new List<string>();
        loop.Enqueue(_ =>
        {
            trace.Add("1");
            loop.Enqueue(_ => trace.Add("3"), null);
        }, null);
        loop.Enqueue(_ => trace.Add("2"), null);
        loop.RunUntil(() => trace.Count == 3);
        Assert.Equal(["1", "2", "3"], trace);
    }

    [Fact]
    public void RunUntil_checks_done_before_the_first_item_and_after_every_item()
    {
        using var loop = TestLoops.Virtual();
        int ran = 0;
        loop.Enqueue(_ => ran++, null);
        loop.RunUntil(() => true);
        Assert.Equal(0, ran);

        loop.Enqueue(_ => ran++, null);
        loop.RunUntil(() => ran == 1);
        Assert.Equal(1, ran);
        Assert.Equal(1, loop.QueuedCount);
        loop.RunUntil(() => ran == 2);
        Assert.Equal(2, ran);
    }

    [Fact]
    public void Current_and_IsRunning_are_set_only_while_running()
    {
        using var loop = TestLoops.Virtual();
        Assert.Null(EventLoop.Current);
        Assert.False(loop.IsRunning);
        EventLoop? seen = null;
        bool running = false;
        SynchronizationContext? context = null;
        loop.RunOn(() =>
        {
            seen = EventLoop.Current;
            running = loop.IsRunning;
            context = SynchronizationContext.Current;
        }, () => seen is not null);

        Assert.Same(loop, seen);
        Assert.True(running);
        Assert.Same(loop.SynchronizationContext, context);
        Assert.Null(EventLoop.Current);
        Assert.False(loop.IsRunning);
        Assert.NotSame(loop.SynchronizationContext, SynchronizationContext.Current);
    }

    [Fact]
    public void RunUntil_can_nest_on_the_loop_thread()
    {
        using var loop = TestLoops.Virtual();
        var trace = new List<string>();
        bool innerDone = false;
        loop.RunOn(() =>
        {
            loop.Enqueue(_ =>
            {
                trace.Add("inner");
                innerDone = true;
            }, null);
            loop.RunUntil(() => innerDone);
            trace.Add("outer");
        }, () => trace.Count == 2);

        Assert.Equal(["inner", "outer"], trace);
    }

    [Fact]
    public void Loop_only_calls_from_another_thread_throw_a_clear_exception()
    {
        using var loop = TestLoops.Virtual("clear");
        var errors = new List<InvalidOperationException>();
        TestLoops.OnOtherThread(() =>
        {
            errors.Add(Assert.Throws<InvalidOperationException>(() => loop.Enqueue(_ => { }, null)));
            errors.Add(Assert.Throws<InvalidOperationException>(() => loop.EnqueueAtHead(_ => { }, null)));
            errors.Add(Assert.Throws<InvalidOperationException>(() => loop.StartTimer(TimeSpan.Zero, _ => { }, null)));
        });

        Assert.Contains("EventLoop.Enqueue", errors[0].Message);
        Assert.Contains("EventLoop.EnqueueAtHead", errors[1].Message);
        Assert.Contains("EventLoop.StartTimer", errors[2].Message);
        Assert.All(errors, e => Assert.Contains("ConfigureAwait(false)", e.Message));
        Assert.All(errors, e => Assert.Contains("'clear'", e.Message));
    }

    [Fact]
    public void IsOnLoopThread_follows_the_running_thread()
    {
        using var loop = TestLoops.Virtual();
        Assert.True(loop.IsOnLoopThread);
        bool elsewhere = true;
        TestLoops.OnOtherThread(() => elsewhere = loop.IsOnLoopThread);
        Assert.False(elsewhere);
    }
}
