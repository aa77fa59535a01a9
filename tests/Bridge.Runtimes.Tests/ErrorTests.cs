using Bridge.Runtimes;

namespace Bridge.Runtimes.Tests;

public class ErrorTests
{
    [Fact]
    public void Item_exception_propagates_out_of_RunUntil_and_the_loop_stays_usable()
    {
        using var loop = TestLoops.Virtual();
        var trace = new List<string>();
        var boom = new FormatException("boom");
        loop.Enqueue(_ => trace.Add("before"), null);
        loop.Enqueue(_ => throw boom, null);
        loop.Enqueue(_ => trace.Add("after"), null);
        var e = Assert.Throws<FormatException>(() => loop.RunUntil(() => trace.Count == 2));
        Assert.Same(boom, e);
        Assert.Equal(["before"], trace);
        Assert.False(loop.IsRunning);
        Assert.Null(EventLoop.Current);
        Assert.IsNotType<LoopSynchronizationContext>(SynchronizationContext.Current);

        loop.RunUntil(() => trace.Count == 2);
        Assert.Equal(["before", "after"], trace);
    }

    [Fact]
    public void Item_and_timer_exceptions_go_to_the_unhandled_hook_and_the_loop_continues()
    {
        var errors = new List<Exception>();
        using var loop = TestLoops.Virtual(unhandled: errors.Add);
        var trace = new List<string>();
        loop.Enqueue(_ => throw new FormatException("item"), null);
        loop.StartTimer(TimeSpan.FromSeconds(1), _ => throw new FormatException("timer"), null);
        loop.StartTimer(TimeSpan.FromSeconds(2), _ => trace.Add("later"), null);
        loop.RunUntil(() => trace.Count == 1);
        Assert.Equal(["item", "timer"], errors.Select(e => e.Message));
    }

    [Fact]
    public void Timer_exception_propagates_and_pending_timers_still_fire()
    {
        using var loop = TestLoops.Virtual();
        bool later = false;
        loop.StartTimer(TimeSpan.FromSeconds(1), _ => throw new FormatException("timer"), null);
        loop.StartTimer(TimeSpan.FromSeconds(2), _ => later = true, null);
        Assert.Throws<FormatException>(() => loop.RunUntil(() => later));
        loop.RunUntil(() => later);
        Assert.Equal(TimeSpan.FromSeconds(2), loop.Elapsed);
    }

    [Fact]
    public void Exception_from_a_posted_item_propagates()
    {
        using var loop = TestLoops.Virtual();
        TestLoops.OnOtherThread(() => loop.Post(_ => throw new FormatException("posted"), null));
        Assert.Equal("posted", Assert.Throws<FormatException>(() => loop.RunUntil(() => false)).Message);
    }

    [Fact]
    public void Async_void_exception_reaches_the_loop()
    {
        using var loop = TestLoops.Virtual();
        loop.Enqueue(_ => Fail(), null);
        Assert.Equal("async void", Assert.Throws<FormatException>(() => loop.RunUntil(() => false)).Message);
        Assert.Equal(0, loop.SynchronizationContext.OutstandingOperations);

        static async void Fail()
        {
            await Task.Yield();
            throw new FormatException("async void");
        }
    }
}
