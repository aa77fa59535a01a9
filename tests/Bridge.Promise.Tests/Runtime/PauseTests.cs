using Bridge.Runtimes;

namespace PromiseTests.Runtime;

public class PauseTests
{
    [Fact]
    public void Pause_is_pending_until_next_iteration() => TestLoop.Run(() =>
    {
        var p = Promise.Pause();
        Assert.True(p.IsPending);
        return p;
    });

    [Fact]
    public void Pauses_wake_in_creation_order() => TestLoop.Run(() =>
    {
        var log = new Log();
        var a = Promise.Pause().Map(_ => { log.Add("a"); return default(Unit); });
        var b = Promise.Pause().Map(_ => { log.Add("b"); return default(Unit); });
        var c = Promise.Pause().Map(_ => { log.Add("c"); return default(Unit); });
        return Promise.Join(a, b, c).Map(_ =>
        {
            Assert.Equal("a,b,c", log.ToString());
            return 0;
        });
    });

    [Fact]
    public void Pause_created_while_waking_waits_for_next_iteration() => TestLoop.Run(() =>
    {
        var loop = EventLoop.Current!;
        long first = 0;
        return Promise.Pause().Bind(_ =>
        {
            first = loop.Iteration;
            return Promise.Pause();
        }).Map(_ =>
        {
            Assert.True(loop.Iteration > first);
            return 0;
        });
    });

    [Fact]
    public void Canceled_pause_is_removed() => TestLoop.Run(() =>
    {
        var p = Promise.Pause();
        p.Cancel();
        Assert.True(p.IsCanceled);
        return Promise.Pause();
    });

    [Fact]
    public void Pause_loop_does_not_report_deadlock() => TestLoop.Run(() =>
    {
        Promise<int> Loop(int n) => n == 0 ? Promise.FromResult(7) : Promise.Pause().Bind(_ => Loop(n - 1));
        return Loop(100);
    });

    [Fact]
    public void Pause_before_Run_wakes_during_run()
    {
        var loop = TestLoop.NewLoop();
        var p = Promise.Run(loop, () => Promise.Unit);
        Assert.Equal(default, p);
    }
}
