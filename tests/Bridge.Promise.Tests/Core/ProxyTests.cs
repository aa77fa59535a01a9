namespace PromiseTests.Core;

public class ProxyTests
{
    [Fact]
    public void Returned_pending_promise_shares_state_with_bind_result() => TestLoop.Run(() =>
    {
        var (p, r) = Promise.Create<int>();
        var (inner, ri) = Promise.Create<int>();
        var outer = p.Bind(_ => inner);
        r.Resolve(0);
        Assert.True(outer.IsPending && inner.IsPending);
        ri.Resolve(5);
        Assert.Equal(5, outer.Result);
        Assert.Equal(5, inner.Result);
    });

    [Fact]
    public void Outer_callbacks_run_before_inner_callbacks() => TestLoop.Run(() =>
    {
        var (p, r) = Promise.Create<int>();
        var (inner, ri) = Promise.Create<int>();
        var log = new Log();
        inner.OnSuccess(_ => log.Add("inner1"));
        inner.OnSuccess(_ => log.Add("inner2"));
        var outer = p.Bind(_ => inner);
        outer.OnSuccess(_ => log.Add("outer1"));
        outer.OnSuccess(_ => log.Add("outer2"));
        r.Resolve(0);
        ri.Resolve(1);
        Assert.Equal("outer2,outer1,inner2,inner1", log.ToString());
    });

    [Fact]
    public void Callbacks_added_to_inner_after_merge_go_to_shared_list() => TestLoop.Run(() =>
    {
        var (p, r) = Promise.Create<int>();
        var (inner, ri) = Promise.Create<int>();
        var log = new Log();
        var outer = p.Bind(_ => inner);
        outer.OnSuccess(_ => log.Add("outer"));
        r.Resolve(0);
        inner.OnSuccess(_ => log.Add("inner-late"));
        ri.Resolve(1);
        Assert.Equal("inner-late,outer", log.ToString());
    });

    [Fact]
    public void Inner_resolver_resolves_outer_after_merge() => TestLoop.Run(() =>
    {
        var (p, r) = Promise.Create<int>();
        var (inner, ri) = Promise.Create<int>();
        var outer = p.Bind(_ => inner);
        r.Resolve(0);
        ri.Reject(new TestException());
        Assert.IsType<TestException>(outer.Error);
        Assert.Throws<InvalidOperationException>(() => ri.Resolve(1));
    });

    [Fact]
    public void Canceling_outer_after_merge_cancels_inner_task() => TestLoop.Run(() =>
    {
        var (p, r) = Promise.Create<int>();
        var (inner, _) = Promise.CreateCancelable<int>();
        var outer = p.Bind(_ => inner);
        Assert.Equal(PromiseState.Pending, outer.State);
        outer.Cancel();
        Assert.True(outer.IsPending, "before f runs, cancel goes to p, which is not cancelable");
        r.Resolve(0);
        outer.Cancel();
        Assert.True(outer.IsCanceled);
        Assert.True(inner.IsCanceled);
    });

    [Fact]
    public void Canceling_inner_after_merge_cancels_outer() => TestLoop.Run(() =>
    {
        var (p, r) = Promise.Create<int>();
        var (inner, _) = Promise.CreateCancelable<int>();
        var outer = p.Bind(_ => inner);
        r.Resolve(0);
        inner.Cancel();
        Assert.True(outer.IsCanceled);
    });

    [Fact]
    public void Chain_of_proxies_resolves_all() => TestLoop.Run(() =>
    {
        var (p, r) = Promise.Create<int>();
        var (q, rq) = Promise.Create<int>();
        var (last, rlast) = Promise.Create<int>();
        var mid = q.Bind(_ => last);
        var outer = p.Bind(_ => mid);
        r.Resolve(0);
        rq.Resolve(0);
        Assert.True(outer.IsPending);
        rlast.Resolve(9);
        Assert.Equal(9, outer.Result);
        Assert.Equal(9, mid.Result);
    });

    [Fact]
    public void Proxy_during_callback_of_resolution() => TestLoop.Run(() =>
    {
        // A finalizer whose cleanup returns a promise that is resolved later by the same callback chain.
        var (p, r) = Promise.Create<Unit>();
        var (c, rc) = Promise.Create<Unit>();
        var q = p.Finally(() => c);
        p.OnSuccess(_ => rc.Resolve(default));
        r.Resolve(default);
        Assert.Equal(PromiseState.Fulfilled, q.State);
    });

    [Fact]
    public void Recursive_loop_over_pending_promises_stays_one_proxy_target() => TestLoop.Run(() =>
    {
        var resolvers = new Queue<Resolver<Unit>>();
        Promise<int> Loop(int n)
        {
            if (n == 0)
            {
                return Promise.FromResult(42);
            }

            var (p, r) = Promise.Create<Unit>();
            resolvers.Enqueue(r);
            return p.Bind(_ => Loop(n - 1));
        }

        var result = Loop(1000);
        while (resolvers.TryDequeue(out var r))
        {
            r.Resolve(default);
        }

        Assert.Equal(42, result.Result);
    });
}
