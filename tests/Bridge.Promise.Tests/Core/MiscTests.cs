using Bridge.Runtimes;

namespace PromiseTests.Core;

public class MiscTests
{
    [Fact]
    public void Condition_wait_with_mutex_relocks_even_when_canceled() => TestLoop.Run(() =>
    {
        var m = new PromiseMutex();
        var c = new PromiseCondition<int>();
        m.Lock();
        var w = c.Wait(m);
        Assert.False(m.IsLocked);
        w.Cancel();
        Assert.True(m.IsLocked, "finally re-locked the mutex");
        Assert.IsType<PromiseCanceledException>(w.Error);
    });

    [Fact]
    public void Pick_loser_cancel_handler_runs_before_pick_callbacks_and_can_observe_winner() => TestLoop.Run(() =>
    {
        var (a, ra) = Promise.CreateCancelable<int>();
        var (b, _) = Promise.CreateCancelable<int>();
        var pick = Promise.Pick(a, b);
        var log = new Log();
        b.OnCancel(() => log.Add("b canceled, a=" + a.Result + ", pick " + pick.State));
        pick.OnSuccess(v => log.Add("pick " + v));
        ra.Resolve(4);
        Assert.Equal("b canceled, a=4, pick Pending,pick 4", log.ToString());
    });

    [Fact]
    public void Async_method_awaiting_promises_inside_Run() => Assert.Equal(6, TestLoop.Run(() =>
    {
        async Task<int> Work()
        {
            var a = await Promise.Sleep(TimeSpan.FromSeconds(1)).Map(_ => 1);
            await Promise.Pause();
            var b = await Promise.FromResult(5);
            return a + b;
        }

        var task = Work();
        var (p, r) = Promise.Create<int>();
        task.ContinueWith(t => r.Resolve(t.Result), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.FromCurrentSynchronizationContext());
        return p;
    }));

    [Fact]
    public void Default_loop_Pause_before_Run_is_woken_by_Run()
    {
        // Lwt keeps paused promises across runs; the thread's default loop plays that role.
        var done = false;
        Promise.Run(() => Promise.Pause().Map(_ =>
        {
            done = true;
            return 0;
        }));
        Assert.True(done);
    }

    [Fact]
    public void Join_of_same_pending_promise_twice() => TestLoop.Run(() =>
    {
        var (a, ra) = Promise.Create<Unit>();
        var j = Promise.Join(a, a);
        ra.Resolve(default);
        Assert.Equal(PromiseState.Fulfilled, j.State);
    });

    [Fact]
    public void All_with_first_input_resolved_and_later_pending_indexes_correctly() => TestLoop.Run(() =>
    {
        var (b, rb) = Promise.Create<int>();
        var (c, rc) = Promise.Create<int>();
        var all = Promise.All(Promise.FromResult(1), b, c);
        rc.Resolve(3);
        rb.Resolve(2);
        Assert.Equal(new[] { 1, 2, 3 }, all.Result);
    });

    [Fact]
    public void Choose_result_returned_from_bind_becomes_proxy_and_still_resolves() => TestLoop.Run(() =>
    {
        var (p, r) = Promise.Create<int>();
        var (a, ra) = Promise.Create<int>();
        var (b, _) = Promise.Create<int>();
        var outer = p.Bind(_ => Promise.Choose(a, b));
        r.Resolve(0);
        ra.Resolve(8);
        Assert.Equal(8, outer.Result);
    });

    [Fact]
    public void Deadlock_message_is_thrown_for_never_resolving_join() =>
        Assert.Throws<DeadlockException>(() => TestLoop.Run(() => Promise.Join(Promise.Create<Unit>().Promise)));

    [Fact]
    public void Map_result_canceled_through_map_chain_reaches_task() => TestLoop.Run(() =>
    {
        var (t, _) = Promise.CreateCancelable<int>();
        var m = t.Map(x => x).Map(x => x + 1).Bind(Promise.FromResult);
        m.Cancel();
        Assert.True(t.IsCanceled);
        Assert.True(m.IsCanceled);
    });

    [Fact]
    public void Sleep_inside_pick_is_canceled_when_other_wins() => TestLoop.Run(() =>
    {
        var sleep = Promise.Sleep(TimeSpan.FromHours(1));
        var p = Promise.Pick(sleep, Promise.Pause());
        return p.Map(_ =>
        {
            Assert.True(sleep.IsCanceled);
            return 0;
        });
    });
}
