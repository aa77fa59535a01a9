namespace PromiseTests.Core;

public class CallbackOrderTests
{
    [Fact]
    public void Callbacks_run_last_registered_first() => TestLoop.Run(() =>
    {
        var (p, r) = Promise.Create<int>();
        var log = new Log();
        p.OnSuccess(_ => log.Add("1"));
        p.OnSuccess(_ => log.Add("2"));
        p.Map(_ => { log.Add("3"); return 0; });
        p.OnTermination(() => log.Add("4"));
        r.Resolve(0);
        Assert.Equal("4,3,2,1", log.ToString());
    });

    [Fact]
    public void Callbacks_run_synchronously_before_resolve_returns() => TestLoop.Run(() =>
    {
        var (p, r) = Promise.Create<int>();
        var log = new Log();
        p.OnSuccess(_ => log.Add("cb"));
        log.Add("before");
        r.Resolve(0);
        log.Add("after");
        Assert.Equal("before,cb,after", log.ToString());
    });

    [Fact]
    public void Cascade_is_nested_depth_first() => TestLoop.Run(() =>
    {
        var (p, r) = Promise.Create<int>();
        var log = new Log();
        var q = p.Map(x => { log.Add("q"); return x; });
        q.OnSuccess(_ => log.Add("q.cb"));
        p.OnSuccess(_ => log.Add("p.cb"));
        r.Resolve(0);
        Assert.Equal("p.cb,q,q.cb", log.ToString());
    });

    [Fact]
    public void Cancel_callbacks_run_before_regular_callbacks() => TestLoop.Run(() =>
    {
        var (p, _) = Promise.CreateCancelable<int>();
        var log = new Log();
        p.OnFailure(_ => log.Add("fail1"));
        p.OnCancel(() => log.Add("cancel1"));
        p.OnFailure(_ => log.Add("fail2"));
        p.OnCancel(() => log.Add("cancel2"));
        p.Cancel();
        Assert.Equal("cancel2,cancel1,fail2,fail1", log.ToString());
    });

    [Fact]
    public void OnCancel_runs_for_reject_with_canceled() => TestLoop.Run(() =>
    {
        var (p, r) = Promise.Create<int>();
        var ran = false;
        p.OnCancel(() => ran = true);
        r.Reject(new PromiseCanceledException());
        Assert.True(ran);
    });

    [Fact]
    public void OnCancel_does_not_run_for_other_outcomes() => TestLoop.Run(() =>
    {
        var (p1, r1) = Promise.Create<int>();
        var (p2, r2) = Promise.Create<int>();
        var ran = 0;
        p1.OnCancel(() => ran++);
        p2.OnCancel(() => ran++);
        r1.Resolve(1);
        r2.Reject(new TestException());
        Assert.Equal(0, ran);
    });

    [Fact]
    public void OnCancel_on_already_canceled_runs_now_and_on_resolved_never() => TestLoop.Run(() =>
    {
        var ran = 0;
        Promise.FromException<int>(new PromiseCanceledException()).OnCancel(() => ran++);
        Assert.Equal(1, ran);
        Promise.FromResult(1).OnCancel(() => ran++);
        Promise.FromException<int>(new TestException()).OnCancel(() => ran++);
        Assert.Equal(1, ran);
    });

    [Fact]
    public void OnCancel_propagates_through_bind() => TestLoop.Run(() =>
    {
        var (p, _) = Promise.CreateCancelable<int>();
        var q = p.Bind(Promise.FromResult);
        var ran = false;
        q.OnCancel(() => ran = true);
        p.Cancel();
        Assert.True(ran);
    });

    [Fact]
    public void On_functions_on_resolved_run_now() => TestLoop.Run(() =>
    {
        var log = new Log();
        var ok = Promise.FromResult(1);
        var bad = Promise.FromException<int>(new TestException());
        ok.OnSuccess(v => log.Add("s" + v));
        bad.OnSuccess(v => log.Add("never"));
        ok.OnFailure(_ => log.Add("never"));
        bad.OnFailure(_ => log.Add("f"));
        ok.OnTermination(() => log.Add("t1"));
        bad.OnTermination(() => log.Add("t2"));
        ok.OnAny(v => log.Add("a" + v), _ => log.Add("never"));
        bad.OnAny(_ => log.Add("never"), _ => log.Add("b"));
        Assert.Equal("s1,f,t1,t2,a1,b", log.ToString());
    });

    [Fact]
    public void On_functions_on_pending() => TestLoop.Run(() =>
    {
        var log = new Log();
        var (ok, rok) = Promise.Create<int>();
        var (bad, rbad) = Promise.Create<int>();
        ok.OnSuccess(v => log.Add("s" + v));
        bad.OnSuccess(v => log.Add("never"));
        ok.OnFailure(_ => log.Add("never"));
        bad.OnFailure(_ => log.Add("f"));
        ok.OnAny(v => log.Add("a" + v), _ => log.Add("never"));
        bad.OnAny(_ => log.Add("never"), _ => log.Add("b"));
        rok.Resolve(1);
        rbad.Reject(new TestException());
        Assert.Equal("a1,s1,b,f", log.ToString());
    });

    [Fact]
    public void On_function_exception_goes_to_hook() => TestLoop.Run(() =>
    {
        var seen = new List<Exception>();
        Promise.AsyncExceptionHook = seen.Add;
        var (p, r) = Promise.Create<int>();
        var ran = false;
        p.OnSuccess(_ => ran = true);
        p.OnSuccess(_ => throw new TestException("a"));
        r.Resolve(1);
        Promise.FromResult(1).OnTermination(() => throw new TestException("b"));
        Promise.FromException<int>(new PromiseCanceledException()).OnCancel(() => throw new TestException("c"));
        Assert.True(ran);
        Assert.Equal(new[] { "a", "b", "c" }, seen.Select(e => e.Message));
    });

    [Fact]
    public void On_function_exception_without_hook_surfaces_from_Run()
    {
        var ex = Assert.Throws<TestException>(() => TestLoop.Run(() =>
        {
            Promise.FromResult(1).OnSuccess(_ => throw new TestException("boom"));
        }));
        Assert.Equal("boom", ex.Message);
    }

    [Fact]
    public void Async_rejection_surfaces_from_Run_even_if_main_promise_pending()
    {
        Assert.Throws<TestException>(() => TestLoop.Run(() =>
        {
            var (p, r) = Promise.Create<Unit>();
            Promise.Async(() => Promise.Sleep(TimeSpan.FromSeconds(1)).Bind(_ => Promise.FromException<Unit>(new TestException())));
            return p;
        }));
    }

    [Fact]
    public void Async_calls_f_now_and_reports_sync_throw() => TestLoop.Run(() =>
    {
        var seen = new List<Exception>();
        Promise.AsyncExceptionHook = seen.Add;
        var ran = false;
        Promise.Async(() =>
        {
            ran = true;
            return Promise.Unit;
        });
        Assert.True(ran);
        Promise.Async<Unit>(() => throw new TestException("sync"));
        var (p, r) = Promise.Create<Unit>();
        Promise.Async(() => p);
        r.Reject(new TestException("later"));
        Assert.Equal(new[] { "sync", "later" }, seen.Select(e => e.Message));
    });

    [Fact]
    public void DontWait_routes_to_handler() => TestLoop.Run(() =>
    {
        var seen = new List<string>();
        Promise.DontWait<Unit>(() => throw new TestException("sync"), e => seen.Add(e.Message));
        var (p, r) = Promise.Create<Unit>();
        Promise.DontWait(() => p, e => seen.Add(e.Message));
        r.Reject(new TestException("later"));
        Promise.DontWait(() => Promise.Unit, e => seen.Add("never"));
        Assert.Equal(new[] { "sync", "later" }, seen);
    });

    [Fact]
    public void ResolveLater_inside_callback_defers_callbacks_but_sets_state() => TestLoop.Run(() =>
    {
        var (p1, r1) = Promise.Create<int>();
        var (p2, r2) = Promise.Create<int>();
        var log = new Log();
        p2.OnSuccess(_ => log.Add("p2.cb"));
        p1.OnSuccess(_ =>
        {
            r2.ResolveLater(2);
            log.Add("after-later:" + p2.State);
        });
        r1.Resolve(1);
        Assert.Equal("after-later:Fulfilled,p2.cb", log.ToString());
    });

    [Fact]
    public void ResolveLater_deferred_until_outermost_batch_ends() => TestLoop.Run(() =>
    {
        var (p1, r1) = Promise.Create<int>();
        var (p2, r2) = Promise.Create<int>();
        var (p3, r3) = Promise.Create<int>();
        var log = new Log();
        p3.OnSuccess(_ => log.Add("p3"));
        p2.OnSuccess(_ =>
        {
            r3.ResolveLater(3);
            log.Add("p2");
        });
        p1.OnSuccess(_ =>
        {
            r2.Resolve(2);
            log.Add("p1");
        });
        r1.Resolve(1);
        Assert.Equal("p2,p1,p3", log.ToString());
    });

    [Fact]
    public void ResolveLater_queue_is_fifo_and_drains_new_entries() => TestLoop.Run(() =>
    {
        var (p1, r1) = Promise.Create<int>();
        var (a, ra) = Promise.Create<int>();
        var (b, rb) = Promise.Create<int>();
        var (c, rc) = Promise.Create<int>();
        var log = new Log();
        a.OnSuccess(_ =>
        {
            log.Add("a");
            rc.ResolveLater(0);
        });
        b.OnSuccess(_ => log.Add("b"));
        c.OnSuccess(_ => log.Add("c"));
        p1.OnSuccess(_ =>
        {
            ra.ResolveLater(0);
            rb.ResolveLater(0);
            log.Add("p1");
        });
        r1.Resolve(1);
        Assert.Equal("p1,a,b,c", log.ToString());
    });

    [Fact]
    public void Bind_after_ResolveLater_runs_immediately_before_deferred_callbacks() => TestLoop.Run(() =>
    {
        var (p1, r1) = Promise.Create<int>();
        var (p2, r2) = Promise.Create<int>();
        var log = new Log();
        p2.OnSuccess(_ => log.Add("early"));
        p1.OnSuccess(_ =>
        {
            r2.ResolveLater(2);
            p2.Bind(_ =>
            {
                log.Add("late-bind");
                return Promise.Unit;
            });
        });
        r1.Resolve(1);
        Assert.Equal("late-bind,early", log.ToString());
    });

    [Fact]
    public void RejectLater_inside_callback_defers() => TestLoop.Run(() =>
    {
        var (p1, r1) = Promise.Create<int>();
        var (p2, r2) = Promise.Create<int>();
        var log = new Log();
        p2.OnFailure(_ => log.Add("p2"));
        p1.OnSuccess(_ =>
        {
            r2.RejectLater(new TestException());
            log.Add("p1");
        });
        r1.Resolve(1);
        Assert.Equal("p1,p2", log.ToString());
    });

    [Fact]
    public void Resolve_inside_callback_is_nested() => TestLoop.Run(() =>
    {
        var (p1, r1) = Promise.Create<int>();
        var (p2, r2) = Promise.Create<int>();
        var log = new Log();
        p2.OnSuccess(_ => log.Add("p2"));
        p1.OnSuccess(_ =>
        {
            r2.Resolve(2);
            log.Add("p1");
        });
        r1.Resolve(1);
        Assert.Equal("p2,p1", log.ToString());
    });

    [Fact]
    public void Callback_registered_during_resolution_on_same_promise_runs_immediately() => TestLoop.Run(() =>
    {
        var (p, r) = Promise.Create<int>();
        var log = new Log();
        p.OnSuccess(_ =>
        {
            log.Add("first");
            p.OnSuccess(_ => log.Add("added"));
        });
        r.Resolve(1);
        Assert.Equal("first,added", log.ToString());
    });

    [Fact]
    public void Resolution_inside_callback_of_same_promise_throws() => TestLoop.Run(() =>
    {
        var (p, r) = Promise.Create<int>();
        Exception? seen = null;
        Promise.AsyncExceptionHook = e => seen = e;
        p.OnSuccess(_ => r.Resolve(2));
        r.Resolve(1);
        Assert.IsType<InvalidOperationException>(seen);
    });
}
