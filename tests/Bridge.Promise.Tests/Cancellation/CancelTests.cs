namespace PromiseTests.Cancellation;

public class CancelTests
{
    [Fact]
    public void Cancel_wait_promise_does_nothing() => TestLoop.Run(() =>
    {
        var (p, r) = Promise.Create<int>();
        p.Cancel();
        Assert.True(p.IsPending);
        r.Resolve(1);
        Assert.Equal(1, p.Result);
    });

    [Fact]
    public void Cancel_task_rejects_with_canceled() => TestLoop.Run(() =>
    {
        var (p, _) = Promise.CreateCancelable<int>();
        p.Cancel();
        Assert.IsType<PromiseCanceledException>(p.Error);
        Assert.True(p.IsCanceled);
        Assert.IsAssignableFrom<OperationCanceledException>(p.Error);
    });

    [Fact]
    public void Cancel_resolved_does_nothing() => TestLoop.Run(() =>
    {
        var p = Promise.FromResult(1);
        p.Cancel();
        Assert.Equal(1, p.Result);
        var (t, r) = Promise.CreateCancelable<int>();
        r.Resolve(2);
        t.Cancel();
        Assert.Equal(2, t.Result);
    });

    [Fact]
    public void Cancel_bind_result_cancels_source_then_propagates_forward() => TestLoop.Run(() =>
    {
        var (p, _) = Promise.CreateCancelable<int>();
        var called = false;
        var q = p.Bind(x =>
        {
            called = true;
            return Promise.FromResult(x);
        });
        q.Cancel();
        Assert.False(called);
        Assert.True(p.IsCanceled);
        Assert.True(q.IsCanceled);
    });

    [Fact]
    public void Cancel_follows_long_chain() => TestLoop.Run(() =>
    {
        var (p, _) = Promise.CreateCancelable<int>();
        var q = p;
        for (int i = 0; i < 100_000; i++)
        {
            q = q.Map(x => x + 1);
        }

        q.Cancel();
        Assert.True(q.IsCanceled);
    });

    [Fact]
    public void Cancel_through_map_and_catch() => TestLoop.Run(() =>
    {
        var (p, _) = Promise.CreateCancelable<int>();
        var q = p.Map(x => x).Catch(e => Promise.FromResult(e is PromiseCanceledException ? -1 : 0));
        q.Cancel();
        Assert.Equal(-1, q.Result);
    });

    [Fact]
    public void Catch_turning_cancel_into_value_stops_OnCancel_of_outer() => TestLoop.Run(() =>
    {
        var (p, _) = Promise.CreateCancelable<int>();
        var q = p.Catch(_ => Promise.FromResult(1));
        var outerCanceled = false;
        q.OnCancel(() => outerCanceled = true);
        q.Cancel();
        Assert.False(outerCanceled);
        Assert.Equal(1, q.Result);
    });

    [Fact]
    public void Cancel_after_bind_function_ran_follows_returned_promise() => TestLoop.Run(() =>
    {
        var (p, r) = Promise.Create<int>();
        var (inner, _) = Promise.CreateCancelable<int>();
        var q = p.Bind(_ => inner);
        r.Resolve(1);
        q.Cancel();
        Assert.True(inner.IsCanceled);
        Assert.True(q.IsCanceled);
    });

    [Fact]
    public void Cancel_does_not_follow_edges_of_resolved_sources() => TestLoop.Run(() =>
    {
        var (p, r) = Promise.CreateCancelable<int>();
        var (inner, ri) = Promise.Create<int>();
        var q = p.Bind(_ => inner);
        r.Resolve(1);
        q.Cancel();
        Assert.True(q.IsPending, "inner is a wait promise, p is already resolved");
        ri.Resolve(2);
        Assert.Equal(2, q.Result);
    });

    [Fact]
    public void Cancel_diamond_visits_each_promise_once() => TestLoop.Run(() =>
    {
        var (p, _) = Promise.CreateCancelable<Unit>();
        var count = 0;
        p.OnCancel(() => count++);
        var a = p.Map(x => x);
        var b = p.Map(x => x);
        var j = Promise.Join(a, b);
        j.Cancel();
        Assert.Equal(1, count);
        Assert.True(j.IsCanceled);
    });

    [Fact]
    public void Cancel_search_marks_all_before_running_callbacks() => TestLoop.Run(() =>
    {
        var (a, _) = Promise.CreateCancelable<Unit>();
        var (b, _) = Promise.CreateCancelable<Unit>();
        var log = new Log();
        a.OnFailure(_ => log.Add("a sees b " + b.State));
        b.OnFailure(_ => log.Add("b sees a " + a.State));
        Promise.Join(a, b).Cancel();
        Assert.Contains("a sees b Rejected", log.Items);
        Assert.Contains("b sees a Rejected", log.Items);
    });

    [Fact]
    public void Cancel_collected_callbacks_run_last_found_first() => TestLoop.Run(() =>
    {
        var (a, _) = Promise.CreateCancelable<Unit>();
        var (b, _) = Promise.CreateCancelable<Unit>();
        var log = new Log();
        a.OnFailure(_ => log.Add("a"));
        b.OnFailure(_ => log.Add("b"));
        Promise.Join(a, b).Cancel();
        Assert.Equal("b,a", log.ToString());
    });

    [Fact]
    public void Task_canceled_by_resolver_reject_triggers_OnCancel_of_dependents() => TestLoop.Run(() =>
    {
        var (p, r) = Promise.Create<int>();
        var q = p.Map(x => x);
        var ran = false;
        q.OnCancel(() => ran = true);
        r.Reject(new PromiseCanceledException());
        Assert.True(ran);
    });

    [Fact]
    public void Cannot_cancel_self_from_own_callback_chain() => TestLoop.Run(() =>
    {
        var (p, r) = Promise.Create<int>();
        Promise<int>? q = null;
        q = p.Bind(_ =>
        {
            q!.Cancel();
            return Promise.FromResult(1);
        });
        r.Resolve(0);
        Assert.Equal(1, q.Result);
    });

    [Fact]
    public void Protected_resolved_returns_input() => TestLoop.Run(() =>
    {
        var p = Promise.FromResult(1);
        Assert.Same(p, Promise.Protected(p));
        Assert.Same(p, Promise.NoCancel(p));
        Assert.Same(p, Promise.WrapInCancelable(p));
    });

    [Fact]
    public void Protected_mirrors_outcome() => TestLoop.Run(() =>
    {
        var (p, r) = Promise.CreateCancelable<int>();
        var q = Promise.Protected(p);
        Assert.NotSame(p, q);
        r.Resolve(3);
        Assert.Equal(3, q.Result);
    });

    [Fact]
    public void Protected_cancel_rejects_only_the_copy() => TestLoop.Run(() =>
    {
        var (p, r) = Promise.CreateCancelable<int>();
        var q = Promise.Protected(p);
        q.Cancel();
        Assert.True(q.IsCanceled);
        Assert.True(p.IsPending);
        r.Resolve(1);
        Assert.True(q.IsCanceled);
    });

    [Fact]
    public void Protected_becomes_canceled_if_input_is_canceled() => TestLoop.Run(() =>
    {
        var (p, _) = Promise.CreateCancelable<int>();
        var q = Promise.Protected(p);
        p.Cancel();
        Assert.True(q.IsCanceled);
    });

    [Fact]
    public void Protected_of_wait_promise_is_cancelable() => TestLoop.Run(() =>
    {
        var (p, _) = Promise.Create<int>();
        var q = Promise.Protected(p);
        q.Cancel();
        Assert.True(q.IsCanceled);
        Assert.True(p.IsPending);
    });

    [Fact]
    public void Protected_does_not_cancel_input_through_bind() => TestLoop.Run(() =>
    {
        var (p, _) = Promise.CreateCancelable<int>();
        var q = Promise.Protected(p).Map(x => x);
        q.Cancel();
        Assert.True(q.IsCanceled);
        Assert.True(p.IsPending);
    });

    [Fact]
    public void NoCancel_cancel_is_noop() => TestLoop.Run(() =>
    {
        var (p, r) = Promise.CreateCancelable<int>();
        var q = Promise.NoCancel(p);
        q.Cancel();
        Assert.True(q.IsPending);
        Assert.True(p.IsPending);
        r.Resolve(4);
        Assert.Equal(4, q.Result);
    });

    [Fact]
    public void NoCancel_becomes_canceled_when_input_canceled_another_way() => TestLoop.Run(() =>
    {
        var (p, _) = Promise.CreateCancelable<int>();
        var q = Promise.NoCancel(p);
        p.Cancel();
        Assert.True(q.IsCanceled);
    });

    [Fact]
    public void NoCancel_blocks_cancel_through_bind() => TestLoop.Run(() =>
    {
        var (p, _) = Promise.CreateCancelable<int>();
        var q = Promise.NoCancel(p).Map(x => x);
        q.Cancel();
        Assert.True(q.IsPending);
        Assert.True(p.IsPending);
    });

    [Fact]
    public void WrapInCancelable_cancels_both_when_input_cancelable() => TestLoop.Run(() =>
    {
        var (p, _) = Promise.CreateCancelable<int>();
        var q = Promise.WrapInCancelable(p);
        q.Cancel();
        Assert.True(q.IsCanceled);
        Assert.True(p.IsCanceled);
    });

    [Fact]
    public void WrapInCancelable_of_wait_promise_cancels_only_copy() => TestLoop.Run(() =>
    {
        var (p, r) = Promise.Create<int>();
        var q = Promise.WrapInCancelable(p);
        q.Cancel();
        Assert.True(q.IsCanceled);
        Assert.True(p.IsPending);
        r.Resolve(1);
        Assert.True(q.IsCanceled);
    });

    [Fact]
    public void WrapInCancelable_mirrors_outcome() => TestLoop.Run(() =>
    {
        var (p, r) = Promise.Create<int>();
        var q = Promise.WrapInCancelable(p);
        r.Reject(new TestException());
        Assert.IsType<TestException>(q.Error);
    });

    [Fact]
    public void Protection_null_arguments_throw()
    {
        Assert.Throws<ArgumentNullException>(() => Promise.Protected<int>(null!));
        Assert.Throws<ArgumentNullException>(() => Promise.NoCancel<int>(null!));
        Assert.Throws<ArgumentNullException>(() => Promise.WrapInCancelable<int>(null!));
    }

    [Fact]
    public void Canceled_bind_result_ignores_later_source_resolution() => TestLoop.Run(() =>
    {
        var (p, r) = Promise.Create<int>();
        var (inner, _) = Promise.CreateCancelable<int>();
        var q = p.Bind(_ => inner);
        r.Resolve(1);
        inner.Cancel();
        Assert.True(q.IsCanceled);
    });

    [Fact]
    public void Cancel_exception_is_the_same_for_one_cancel_call() => TestLoop.Run(() =>
    {
        var (a, _) = Promise.CreateCancelable<Unit>();
        var (b, _) = Promise.CreateCancelable<Unit>();
        Promise.Join(a, b).Cancel();
        Assert.Same(a.Error, b.Error);
    });
}

public class CancelCycleTests
{
    [Fact]
    public void Cancel_terminates_on_edge_cycle() => TestLoop.Run(() =>
    {
        var (x, rx) = Promise.Create<int>();
        Promise<int>? d = null;
        var c = x.Catch(_ => d!);
        d = c.Map(v => v + 1);
        rx.Reject(new TestException());
        c.Cancel();
        Assert.True(c.IsPending);
    });
}
