using Bridge.Runtimes;

namespace Bridge.Runtimes.Tests;

public class ArgumentTests
{
    [Fact]
    public void Null_callbacks_and_items_are_rejected_naming_the_argument()
    {
        using var loop = TestLoops.Virtual();
        Assert.Equal("callback", Assert.Throws<ArgumentNullException>(() => loop.Enqueue(null!, null)).ParamName);
        Assert.Equal("item", Assert.Throws<ArgumentNullException>(() => loop.Enqueue((ILoopWorkItem)null!)).ParamName);
        Assert.Equal("callback", Assert.Throws<ArgumentNullException>(() => loop.EnqueueAtHead(null!, null)).ParamName);
        Assert.Equal("item", Assert.Throws<ArgumentNullException>(() => loop.EnqueueAtHead((ILoopWorkItem)null!)).ParamName);
        Assert.Equal("callback", Assert.Throws<ArgumentNullException>(() => loop.Post(null!, null)).ParamName);
        Assert.Equal("callback", Assert.Throws<ArgumentNullException>(() => loop.StartTimer(TimeSpan.Zero, null!, null)).ParamName);
        Assert.Equal("done", Assert.Throws<ArgumentNullException>(() => loop.RunUntil(null!)).ParamName);
    }

    [Fact]
    public void Negative_timer_delay_is_out_of_range()
    {
        using var loop = TestLoops.Virtual();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => loop.StartTimer(TimeSpan.FromTicks(-1), _ => { }, null));
        Assert.Equal("due", e.ParamName);
    }

    [Fact]
    public void Options_defaults()
    {
        using var real = new EventLoop();
        Assert.Equal("loop", real.Name);
        Assert.Same(TimeProvider.System, real.Time);
        Assert.False(real.IsVirtualTime);
        Assert.Null(real.VirtualTime);

        using var named = new EventLoop(new EventLoopOptions { Name = "n", VirtualTime = true });
        Assert.Equal("n", named.Name);
        Assert.True(named.IsVirtualTime);
        Assert.NotNull(named.VirtualTime);
        Assert.Equal(TimeSpan.Zero, named.Elapsed);
    }

    [Fact]
    public void Unit_values_are_all_equal()
    {
        Assert.Equal(default, Unit.Value);
        Assert.True(Unit.Value.Equals(new Unit()));
    }
}

public class HugeDueTimeTests
{
    [Fact]
    public void Huge_due_times_saturate_instead_of_overflowing()
    {
        using var loop = TestLoops.Virtual();
        var trace = new List<string>();
        loop.StartTimer(TimeSpan.FromSeconds(1), _ =>
        {
            loop.StartTimer(TimeSpan.MaxValue, _ => trace.Add("far"), null);
            trace.Add("near");
        }, null);
        loop.RunUntil(() => trace.Count == 2);
        Assert.Equal(["near", "far"], trace);
        Assert.Equal(DateTimeOffset.MaxValue, loop.VirtualTime!.GetUtcNow());

        var clock = new VirtualTimeProvider();
        clock.Advance(TimeSpan.FromDays(1));
        using var timer = clock.CreateTimer(_ => { }, null, TimeSpan.MaxValue, TimeSpan.MaxValue);
        Assert.Throws<ArgumentOutOfRangeException>(() => clock.Advance(TimeSpan.MaxValue));
        Assert.Equal(TimeSpan.FromDays(1), clock.Elapsed);
    }
}
