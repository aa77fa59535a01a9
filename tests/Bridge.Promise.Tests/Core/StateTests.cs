namespace PromiseTests.Core;

public class StateTests
{
    [Fact]
    public void FromResult_is_fulfilled() => TestLoop.Run(() =>
    {
        var p = Promise.FromResult(42);
        Assert.Equal(PromiseState.Fulfilled, p.State);
        Assert.Equal(42, p.Result);
        Assert.Null(p.Error);
        Assert.False(p.IsPending);
    });

    [Fact]
    public void FromException_is_rejected() => TestLoop.Run(() =>
    {
        var e = new TestException();
        var p = Promise.FromException<int>(e);
        Assert.Equal(PromiseState.Rejected, p.State);
        Assert.Same(e, p.Error);
        var ex = Assert.Throws<InvalidOperationException>(() => p.Result);
        Assert.Same(e, ex.InnerException);
    });

    [Fact]
    public void FromException_null_throws() => Assert.Throws<ArgumentNullException>(() => Promise.FromException<int>(null!));

    [Fact]
    public void Unit_is_fulfilled_and_shared()
    {
        Assert.Equal(PromiseState.Fulfilled, Promise.Unit.State);
        Assert.Same(Promise.Unit, Promise.Unit);
    }

    [Fact]
    public void Create_is_pending() => TestLoop.Run(() =>
    {
        var (p, _) = Promise.Create<int>();
        Assert.Equal(PromiseState.Pending, p.State);
        Assert.True(p.IsPending);
        Assert.Null(p.Error);
        Assert.Throws<InvalidOperationException>(() => p.Result);
    });

    [Fact]
    public void Resolver_promise_is_the_promise() => TestLoop.Run(() =>
    {
        var (p, r) = Promise.Create<int>();
        Assert.Same(p, r.Promise);
    });

    [Fact]
    public void Resolve_fulfils() => TestLoop.Run(() =>
    {
        var (p, r) = Promise.Create<int>();
        r.Resolve(1);
        Assert.Equal(1, p.Result);
    });

    [Fact]
    public void Reject_rejects() => TestLoop.Run(() =>
    {
        var (p, r) = Promise.Create<int>();
        var e = new TestException();
        r.Reject(e);
        Assert.Same(e, p.Error);
    });

    [Fact]
    public void ResolveLater_at_top_level_fulfils_now() => TestLoop.Run(() =>
    {
        var (p, r) = Promise.Create<int>();
        var ran = false;
        p.OnSuccess(_ => ran = true);
        r.ResolveLater(1);
        Assert.True(ran);
        Assert.Equal(1, p.Result);
    });

    [Fact]
    public void RejectLater_at_top_level_rejects_now() => TestLoop.Run(() =>
    {
        var (p, r) = Promise.Create<int>();
        r.RejectLater(new TestException());
        Assert.Equal(PromiseState.Rejected, p.State);
    });

    [Fact]
    public void Reject_null_throws() => TestLoop.Run(() =>
    {
        var (_, r) = Promise.Create<int>();
        Assert.Throws<ArgumentNullException>(() => r.Reject(null!));
        Assert.Throws<ArgumentNullException>(() => r.RejectLater(null!));
    });

    [Theory]
    [InlineData(0, "Resolve")]
    [InlineData(1, "Reject")]
    [InlineData(2, "ResolveLater")]
    [InlineData(3, "RejectLater")]
    public void Double_resolution_throws_naming_method(int which, string name) => TestLoop.Run(() =>
    {
        var (_, r) = Promise.Create<int>();
        r.Resolve(1);
        var ex = Assert.Throws<InvalidOperationException>(() => Resolve(r, which));
        Assert.Contains(name, ex.Message);
    });

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Double_resolution_after_rejection_throws(int which) => TestLoop.Run(() =>
    {
        var (_, r) = Promise.Create<int>();
        r.Reject(new TestException());
        Assert.Throws<InvalidOperationException>(() => Resolve(r, which));
    });

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Resolution_of_canceled_promise_is_ignored(int which) => TestLoop.Run(() =>
    {
        var (p, r) = Promise.CreateCancelable<int>();
        p.Cancel();
        Resolve(r, which);
        Assert.IsType<PromiseCanceledException>(p.Error);
    });

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void Resolution_after_reject_with_canceled_is_ignored(int which) => TestLoop.Run(() =>
    {
        var (p, r) = Promise.Create<int>();
        r.Reject(new PromiseCanceledException());
        Resolve(r, which);
        Assert.True(p.IsCanceled);
    });

    [Fact]
    public void Default_resolver_throws() => TestLoop.Run(() =>
    {
        var r = default(Resolver<int>);
        Assert.Throws<InvalidOperationException>(() => r.Resolve(1));
        Assert.Throws<InvalidOperationException>(() => r.Promise);
    });

    [Fact]
    public void Resolver_equality() => TestLoop.Run(() =>
    {
        var (_, r1) = Promise.Create<int>();
        var (_, r2) = Promise.Create<int>();
        var r1b = r1;
        Assert.True(r1 == r1b);
        Assert.True(r1 != r2);
        Assert.False(r1.Equals((object)r2));
        Assert.Equal(r1.GetHashCode(), r1.GetHashCode());
    });

    [Fact]
    public void Apply_catches_synchronous_throw() => TestLoop.Run(() =>
    {
        var e = new TestException();
        var p = Promise.Apply<int>(() => throw e);
        Assert.Same(e, p.Error);
        Assert.Equal(3, Promise.Apply(() => Promise.FromResult(3)).Result);
    });

    [Fact]
    public void Apply_null_function_result_rejects() => TestLoop.Run(() =>
    {
        var p = Promise.Apply<int>(() => null!);
        Assert.IsType<InvalidOperationException>(p.Error);
    });

    [Fact]
    public void Wrap_turns_value_and_exception_into_promise() => TestLoop.Run(() =>
    {
        Assert.Equal(5, Promise.Wrap(() => 5).Result);
        Assert.IsType<TestException>(Promise.Wrap<int>(() => throw new TestException()).Error);
    });

    [Fact]
    public void Null_delegates_throw() => TestLoop.Run(() =>
    {
        var p = Promise.FromResult(1);
        Assert.Throws<ArgumentNullException>(() => p.Bind<int>(null!));
        Assert.Throws<ArgumentNullException>(() => p.Map<int>(null!));
        Assert.Throws<ArgumentNullException>(() => p.Catch(null!));
        Assert.Throws<ArgumentNullException>(() => p.TryBind<int>(null!, _ => p));
        Assert.Throws<ArgumentNullException>(() => p.TryBind(x => p, null!));
        Assert.Throws<ArgumentNullException>(() => p.Finally(null!));
        Assert.Throws<ArgumentNullException>(() => p.OnSuccess(null!));
        Assert.Throws<ArgumentNullException>(() => p.OnFailure(null!));
        Assert.Throws<ArgumentNullException>(() => p.OnTermination(null!));
        Assert.Throws<ArgumentNullException>(() => p.OnAny(null!, _ => { }));
        Assert.Throws<ArgumentNullException>(() => p.OnAny(_ => { }, null!));
        Assert.Throws<ArgumentNullException>(() => p.OnCancel(null!));
        Assert.Throws<ArgumentNullException>(() => Promise.Apply<int>(null!));
        Assert.Throws<ArgumentNullException>(() => Promise.Wrap<int>(null!));
        Assert.Throws<ArgumentNullException>(() => Promise.Async<int>(null!));
        Assert.Throws<ArgumentNullException>(() => Promise.DontWait<int>(null!, _ => { }));
        Assert.Throws<ArgumentNullException>(() => Promise.DontWait(() => p, null!));
        Assert.Throws<ArgumentNullException>(() => Promise.Catch(() => p, null!));
        Assert.Throws<ArgumentNullException>(() => Promise.Finally(() => p, null!));
    });

    [Fact]
    public void Resolving_from_thread_pool_without_loop_throws()
    {
        var (p, r) = Promise.Create<int>();
        var ex = Task.Run(() => Assert.Throws<InvalidOperationException>(() => r.Resolve(1))).GetAwaiter().GetResult();
        Assert.Contains("RunInMain", ex.Message);
        Assert.True(p.IsPending);
    }

    internal static void Resolve(Resolver<int> r, int which)
    {
        switch (which)
        {
            case 0: r.Resolve(2); break;
            case 1: r.Reject(new TestException()); break;
            case 2: r.ResolveLater(2); break;
            default: r.RejectLater(new TestException()); break;
        }
    }
}
