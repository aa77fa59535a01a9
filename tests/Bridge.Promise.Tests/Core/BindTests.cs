namespace PromiseTests.Core;

public class BindTests
{
    [Fact]
    public void Bind_on_fulfilled_calls_f_now_and_returns_its_promise() => TestLoop.Run(() =>
    {
        var inner = Promise.FromResult("x");
        var called = false;
        var p = Promise.FromResult(1).Bind(v =>
        {
            called = true;
            Assert.Equal(1, v);
            return inner;
        });
        Assert.True(called);
        Assert.Same(inner, p);
    });

    [Fact]
    public void Bind_on_fulfilled_lets_exception_escape() => TestLoop.Run(() =>
    {
        Assert.Throws<TestException>(() => Promise.FromResult(1).Bind<int>(_ => throw new TestException()));
    });

    [Fact]
    public void Bind_on_rejected_returns_new_rejected_promise_with_same_exception() => TestLoop.Run(() =>
    {
        var e = new TestException();
        var src = Promise.FromException<int>(e);
        var called = false;
        var p = src.Bind(_ =>
        {
            called = true;
            return Promise.FromResult(1);
        });
        Assert.False(called);
        Assert.NotSame(src, p);
        Assert.Same(e, p.Error);
    });

    [Fact]
    public void Bind_on_pending_waits() => TestLoop.Run(() =>
    {
        var (p, r) = Promise.Create<int>();
        var called = false;
        var q = p.Bind(v =>
        {
            called = true;
            return Promise.FromResult(v * 2);
        });
        Assert.False(called);
        Assert.True(q.IsPending);
        r.Resolve(21);
        Assert.True(called);
        Assert.Equal(42, q.Result);
    });

    [Fact]
    public void Bind_on_pending_then_rejected_propagates() => TestLoop.Run(() =>
    {
        var (p, r) = Promise.Create<int>();
        var q = p.Bind(v => Promise.FromResult(v));
        var e = new TestException();
        r.Reject(e);
        Assert.Same(e, q.Error);
    });

    [Fact]
    public void Bind_on_pending_f_throws_rejects() => TestLoop.Run(() =>
    {
        var (p, r) = Promise.Create<int>();
        var e = new TestException();
        var q = p.Bind<int>(_ => throw e);
        r.Resolve(1);
        Assert.Same(e, q.Error);
    });

    [Fact]
    public void Bind_on_pending_f_returns_null_rejects() => TestLoop.Run(() =>
    {
        var (p, r) = Promise.Create<int>();
        var q = p.Bind<int>(_ => null!);
        r.Resolve(1);
        Assert.IsType<InvalidOperationException>(q.Error);
    });

    [Fact]
    public void Bind_on_pending_f_returns_rejected() => TestLoop.Run(() =>
    {
        var (p, r) = Promise.Create<int>();
        var e = new TestException();
        var q = p.Bind(_ => Promise.FromException<int>(e));
        r.Resolve(1);
        Assert.Same(e, q.Error);
    });

    [Fact]
    public void Bind_on_pending_f_returns_pending_then_fulfilled() => TestLoop.Run(() =>
    {
        var (p, r) = Promise.Create<int>();
        var (inner, ri) = Promise.Create<string>();
        var q = p.Bind(_ => inner);
        r.Resolve(1);
        Assert.True(q.IsPending);
        ri.Resolve("done");
        Assert.Equal("done", q.Result);
        Assert.Equal("done", inner.Result);
    });

    [Fact]
    public void Bind_on_pending_f_returns_pending_then_rejected() => TestLoop.Run(() =>
    {
        var (p, r) = Promise.Create<int>();
        var (inner, ri) = Promise.Create<string>();
        var q = p.Bind(_ => inner);
        r.Resolve(1);
        var e = new TestException();
        ri.Reject(e);
        Assert.Same(e, q.Error);
        Assert.Same(e, inner.Error);
    });

    [Fact]
    public void Bind_cycle_stays_pending_forever() => TestLoop.Run(() =>
    {
        var (p, r) = Promise.Create<int>();
        Promise<int>? q = null;
        q = p.Bind(_ => q!);
        r.Resolve(1);
        Assert.True(q.IsPending);
    });

    [Fact]
    public void Map_fulfilled() => TestLoop.Run(() =>
    {
        Assert.Equal(4, Promise.FromResult(2).Map(x => x * 2).Result);
    });

    [Fact]
    public void Map_fulfilled_f_throws_captured() => TestLoop.Run(() =>
    {
        var e = new TestException();
        var p = Promise.FromResult(2).Map<int>(_ => throw e);
        Assert.Same(e, p.Error);
    });

    [Fact]
    public void Map_rejected_skips_f() => TestLoop.Run(() =>
    {
        var e = new TestException();
        var called = false;
        var p = Promise.FromException<int>(e).Map(x =>
        {
            called = true;
            return x;
        });
        Assert.False(called);
        Assert.Same(e, p.Error);
    });

    [Fact]
    public void Map_pending_then_fulfilled() => TestLoop.Run(() =>
    {
        var (p, r) = Promise.Create<int>();
        var q = p.Map(x => x + 1);
        Assert.True(q.IsPending);
        r.Resolve(1);
        Assert.Equal(2, q.Result);
    });

    [Fact]
    public void Map_pending_f_throws() => TestLoop.Run(() =>
    {
        var (p, r) = Promise.Create<int>();
        var q = p.Map<int>(_ => throw new TestException());
        r.Resolve(1);
        Assert.IsType<TestException>(q.Error);
    });

    [Fact]
    public void Map_pending_then_rejected() => TestLoop.Run(() =>
    {
        var (p, r) = Promise.Create<int>();
        var q = p.Map(x => x + 1);
        r.Reject(new TestException());
        Assert.IsType<TestException>(q.Error);
    });

    [Fact]
    public void Catch_fulfilled_returns_same_promise() => TestLoop.Run(() =>
    {
        var p = Promise.FromResult(1);
        Assert.Same(p, p.Catch(_ => Promise.FromResult(2)));
        Assert.Same(p, Promise.Catch(() => p, _ => Promise.FromResult(2)));
    });

    [Fact]
    public void Catch_rejected_calls_handler_now() => TestLoop.Run(() =>
    {
        var e = new TestException();
        Exception? seen = null;
        var h = Promise.FromResult(9);
        var q = Promise.FromException<int>(e).Catch(x =>
        {
            seen = x;
            return h;
        });
        Assert.Same(e, seen);
        Assert.Same(h, q);
    });

    [Fact]
    public void Catch_rejected_handler_throws_escapes() => TestLoop.Run(() =>
    {
        Assert.Throws<TestException>(() => Promise.FromException<int>(new InvalidOperationException()).Catch(_ => throw new TestException()));
    });

    [Fact]
    public void Static_catch_sync_throw_is_rejection() => TestLoop.Run(() =>
    {
        var q = Promise.Catch<int>(() => throw new TestException(), e => Promise.FromResult(e is TestException ? 1 : 0));
        Assert.Equal(1, q.Result);
    });

    [Fact]
    public void Catch_pending_then_fulfilled_passes_value() => TestLoop.Run(() =>
    {
        var (p, r) = Promise.Create<int>();
        var called = false;
        var q = p.Catch(_ =>
        {
            called = true;
            return Promise.FromResult(0);
        });
        Assert.NotSame(p, q);
        r.Resolve(5);
        Assert.False(called);
        Assert.Equal(5, q.Result);
    });

    [Fact]
    public void Catch_pending_then_rejected_handles() => TestLoop.Run(() =>
    {
        var (p, r) = Promise.Create<int>();
        var q = p.Catch(_ => Promise.FromResult(7));
        r.Reject(new TestException());
        Assert.Equal(7, q.Result);
    });

    [Fact]
    public void Catch_pending_handler_throws_rejects() => TestLoop.Run(() =>
    {
        var (p, r) = Promise.Create<int>();
        var e2 = new TestException("2");
        var q = p.Catch(_ => throw e2);
        r.Reject(new TestException("1"));
        Assert.Same(e2, q.Error);
    });

    [Fact]
    public void Catch_pending_handler_returns_pending() => TestLoop.Run(() =>
    {
        var (p, r) = Promise.Create<int>();
        var (h, rh) = Promise.Create<int>();
        var q = p.Catch(_ => h);
        r.Reject(new TestException());
        Assert.True(q.IsPending);
        rh.Resolve(3);
        Assert.Equal(3, q.Result);
    });

    [Fact]
    public void Catch_sees_canceled() => TestLoop.Run(() =>
    {
        var (p, _) = Promise.CreateCancelable<int>();
        Exception? seen = null;
        var q = p.Catch(e =>
        {
            seen = e;
            return Promise.FromResult(1);
        });
        q.Cancel();
        Assert.IsType<PromiseCanceledException>(seen);
        Assert.Equal(1, q.Result);
    });

    [Fact]
    public void TryBind_fulfilled_calls_f_now() => TestLoop.Run(() =>
    {
        var q = Promise.FromResult(1).TryBind(x => Promise.FromResult(x + 1), _ => Promise.FromResult(0));
        Assert.Equal(2, q.Result);
    });

    [Fact]
    public void TryBind_rejected_calls_h_now() => TestLoop.Run(() =>
    {
        var q = Promise.FromException<int>(new TestException()).TryBind(x => Promise.FromResult(x + 1), _ => Promise.FromResult(0));
        Assert.Equal(0, q.Result);
    });

    [Fact]
    public void TryBind_fulfilled_f_throws_escapes() => TestLoop.Run(() =>
    {
        Assert.Throws<TestException>(() => Promise.FromResult(1).TryBind<int>(_ => throw new TestException(), _ => Promise.FromResult(0)));
    });

    [Fact]
    public void TryBind_rejected_h_throws_escapes() => TestLoop.Run(() =>
    {
        Assert.Throws<TestException>(() => Promise.FromException<int>(new InvalidOperationException()).TryBind(_ => Promise.FromResult(0), _ => throw new TestException()));
    });

    [Fact]
    public void TryBind_pending_fulfilled_and_rejected() => TestLoop.Run(() =>
    {
        var (p1, r1) = Promise.Create<int>();
        var (p2, r2) = Promise.Create<int>();
        var q1 = p1.TryBind(x => Promise.FromResult(x + 1), _ => Promise.FromResult(-1));
        var q2 = p2.TryBind(x => Promise.FromResult(x + 1), _ => Promise.FromResult(-1));
        r1.Resolve(1);
        r2.Reject(new TestException());
        Assert.Equal(2, q1.Result);
        Assert.Equal(-1, q2.Result);
    });

    [Fact]
    public void TryBind_pending_functions_throw_become_rejections() => TestLoop.Run(() =>
    {
        var (p1, r1) = Promise.Create<int>();
        var (p2, r2) = Promise.Create<int>();
        var q1 = p1.TryBind<int>(_ => throw new TestException("f"), _ => Promise.FromResult(-1));
        var q2 = p2.TryBind<int>(_ => Promise.FromResult(1), _ => throw new TestException("h"));
        r1.Resolve(1);
        r2.Reject(new InvalidOperationException());
        Assert.Equal("f", q1.Error!.Message);
        Assert.Equal("h", q2.Error!.Message);
    });

    [Fact]
    public void Static_TryBind_sync_throw_goes_to_h() => TestLoop.Run(() =>
    {
        var q = Promise.TryBind<int, int>(() => throw new TestException(), x => Promise.FromResult(x), _ => Promise.FromResult(-1));
        Assert.Equal(-1, q.Result);
    });

    [Fact]
    public void Finally_fulfilled_runs_cleanup_and_keeps_value() => TestLoop.Run(() =>
    {
        var ran = false;
        var q = Promise.FromResult(1).Finally(() =>
        {
            ran = true;
            return Promise.Unit;
        });
        Assert.True(ran);
        Assert.Equal(1, q.Result);
    });

    [Fact]
    public void Finally_rejected_runs_cleanup_and_keeps_exception() => TestLoop.Run(() =>
    {
        var e = new TestException();
        var ran = false;
        var q = Promise.FromException<int>(e).Finally(() =>
        {
            ran = true;
            return Promise.Unit;
        });
        Assert.True(ran);
        Assert.Same(e, q.Error);
    });

    [Fact]
    public void Finally_cleanup_failure_wins() => TestLoop.Run(() =>
    {
        var e2 = new TestException("cleanup");
        var q = Promise.FromException<int>(new InvalidOperationException()).Finally(() => Promise.FromException<Unit>(e2));
        Assert.Same(e2, q.Error);
        var q2 = Promise.FromResult(1).Finally(() => Promise.FromException<Unit>(e2));
        Assert.Same(e2, q2.Error);
    });

    [Fact]
    public void Finally_cleanup_sync_throw_escapes_when_resolved() => TestLoop.Run(() =>
    {
        Assert.Throws<TestException>(() => Promise.FromResult(1).Finally(() => throw new TestException()));
    });

    [Fact]
    public void Finally_pending_waits_for_cleanup() => TestLoop.Run(() =>
    {
        var (p, r) = Promise.Create<int>();
        var (c, rc) = Promise.Create<Unit>();
        var log = new Log();
        var q = p.Finally(() =>
        {
            log.Add("cleanup");
            return c;
        });
        Assert.Empty(log.Items);
        r.Resolve(3);
        Assert.Equal("cleanup", log.ToString());
        Assert.True(q.IsPending);
        rc.Resolve(default);
        Assert.Equal(3, q.Result);
    });

    [Fact]
    public void Finally_pending_rejected_cleanup_throws_later_becomes_rejection() => TestLoop.Run(() =>
    {
        var (p, r) = Promise.Create<int>();
        var q = p.Finally(() => throw new TestException("c"));
        r.Reject(new InvalidOperationException());
        Assert.Equal("c", q.Error!.Message);
    });

    [Fact]
    public void Static_Finally_sync_throw_runs_cleanup() => TestLoop.Run(() =>
    {
        var ran = false;
        var q = Promise.Finally<int>(() => throw new TestException(), () =>
        {
            ran = true;
            return Promise.Unit;
        });
        Assert.True(ran);
        Assert.IsType<TestException>(q.Error);
    });

    [Fact]
    public void Bind_chain_on_pending_runs_in_order() => TestLoop.Run(() =>
    {
        var (p, r) = Promise.Create<int>();
        var log = new Log();
        var q = p.Bind(x =>
        {
            log.Add("a" + x);
            return Promise.FromResult(x + 1);
        }).Bind(x =>
        {
            log.Add("b" + x);
            return Promise.FromResult(x + 1);
        }).Map(x =>
        {
            log.Add("c" + x);
            return x;
        });
        r.Resolve(0);
        Assert.Equal("a0,b1,c2", log.ToString());
        Assert.Equal(2, q.Result);
    });
}
