namespace PromiseTests.Combinators;

public class JoinAllBothTests
{
    [Fact]
    public void Join_empty_is_fulfilled() => TestLoop.Run(() =>
        Assert.Equal(PromiseState.Fulfilled, Promise.Join().State));

    [Fact]
    public void Join_all_resolved() => TestLoop.Run(() =>
    {
        Assert.Equal(PromiseState.Fulfilled, Promise.Join(Promise.Unit, Promise.Unit).State);
    });

    [Fact]
    public void Join_already_rejected_first_in_list_order_wins() => TestLoop.Run(() =>
    {
        var e1 = new TestException("1");
        var e2 = new TestException("2");
        var j = Promise.Join(Promise.Unit, Promise.FromException<Unit>(e1), Promise.FromException<Unit>(e2));
        Assert.Same(e1, j.Error);
    });

    [Fact]
    public void Join_waits_for_all_even_after_rejection() => TestLoop.Run(() =>
    {
        var (a, ra) = Promise.Create<Unit>();
        var (b, rb) = Promise.Create<Unit>();
        var j = Promise.Join(a, b);
        var e = new TestException();
        ra.Reject(e);
        Assert.True(j.IsPending);
        rb.Resolve(default);
        Assert.Same(e, j.Error);
    });

    [Fact]
    public void Join_first_rejection_in_time_wins() => TestLoop.Run(() =>
    {
        var (a, ra) = Promise.Create<Unit>();
        var (b, rb) = Promise.Create<Unit>();
        var j = Promise.Join(a, b);
        var e1 = new TestException("b");
        rb.Reject(e1);
        ra.Reject(new TestException("a"));
        Assert.Same(e1, j.Error);
    });

    [Fact]
    public void Join_already_rejected_beats_later_rejection() => TestLoop.Run(() =>
    {
        var (a, ra) = Promise.Create<Unit>();
        var e = new TestException("now");
        var j = Promise.Join(a, Promise.FromException<Unit>(e));
        ra.Reject(new TestException("later"));
        Assert.Same(e, j.Error);
    });

    [Fact]
    public void Join_pending_then_fulfilled() => TestLoop.Run(() =>
    {
        var (a, ra) = Promise.Create<Unit>();
        var j = Promise.Join(a, Promise.Unit);
        Assert.True(j.IsPending);
        ra.Resolve(default);
        Assert.Equal(PromiseState.Fulfilled, j.State);
    });

    [Fact]
    public void Join_cancel_cancels_all_inputs() => TestLoop.Run(() =>
    {
        var (a, _) = Promise.CreateCancelable<Unit>();
        var (b, _) = Promise.CreateCancelable<Unit>();
        var (c, rc) = Promise.Create<Unit>();
        var j = Promise.Join(a, b, c);
        j.Cancel();
        Assert.True(a.IsCanceled && b.IsCanceled);
        Assert.True(j.IsPending, "c is not cancelable");
        rc.Resolve(default);
        Assert.True(j.IsCanceled);
    });

    [Fact]
    public void Join_null_arguments() => TestLoop.Run(() =>
    {
        Assert.Throws<ArgumentNullException>(() => Promise.Join((IEnumerable<Promise<Unit>>)null!));
        Assert.Throws<ArgumentNullException>(() => Promise.Join(Promise.Unit, null!));
    });

    [Fact]
    public void All_empty_is_empty_list() => TestLoop.Run(() =>
        Assert.Empty(Promise.All(Array.Empty<Promise<int>>()).Result));

    [Fact]
    public void All_keeps_input_order() => TestLoop.Run(() =>
    {
        var (a, ra) = Promise.Create<int>();
        var (b, rb) = Promise.Create<int>();
        var all = Promise.All(a, Promise.FromResult(2), b);
        rb.Resolve(3);
        ra.Resolve(1);
        Assert.Equal(new[] { 1, 2, 3 }, all.Result);
    });

    [Fact]
    public void All_rejection_waits_for_all() => TestLoop.Run(() =>
    {
        var (a, ra) = Promise.Create<int>();
        var (b, rb) = Promise.Create<int>();
        var all = Promise.All(a, b);
        ra.Reject(new TestException());
        Assert.True(all.IsPending);
        rb.Resolve(1);
        Assert.IsType<TestException>(all.Error);
    });

    [Fact]
    public void All_already_rejected() => TestLoop.Run(() =>
    {
        var e = new TestException();
        Assert.Same(e, Promise.All(Promise.FromResult(1), Promise.FromException<int>(e)).Error);
    });

    [Fact]
    public void All_cancel_cancels_inputs() => TestLoop.Run(() =>
    {
        var (a, _) = Promise.CreateCancelable<int>();
        var all = Promise.All(a, Promise.FromResult(1));
        all.Cancel();
        Assert.True(a.IsCanceled);
        Assert.True(all.IsCanceled);
    });

    [Fact]
    public void Both_resolved() => TestLoop.Run(() =>
    {
        Assert.Equal((1, "a"), Promise.Both(Promise.FromResult(1), Promise.FromResult("a")).Result);
    });

    [Fact]
    public void Both_both_rejected_first_argument_wins() => TestLoop.Run(() =>
    {
        var e1 = new TestException("1");
        var b = Promise.Both(Promise.FromException<int>(e1), Promise.FromException<int>(new TestException("2")));
        Assert.Same(e1, b.Error);
    });

    [Fact]
    public void Both_pending() => TestLoop.Run(() =>
    {
        var (a, ra) = Promise.Create<int>();
        var (b, rb) = Promise.Create<int>();
        var both = Promise.Both(a, b);
        rb.Resolve(2);
        Assert.True(both.IsPending);
        ra.Resolve(1);
        Assert.Equal((1, 2), both.Result);
    });

    [Fact]
    public void Both_waits_for_second_after_first_rejects() => TestLoop.Run(() =>
    {
        var (a, ra) = Promise.Create<int>();
        var (b, rb) = Promise.Create<int>();
        var both = Promise.Both(a, b);
        ra.Reject(new TestException("a"));
        Assert.True(both.IsPending);
        rb.Reject(new TestException("b"));
        Assert.Equal("a", both.Error!.Message);
    });

    [Fact]
    public void Both_one_resolved_one_pending() => TestLoop.Run(() =>
    {
        var (b, rb) = Promise.Create<string>();
        var both = Promise.Both(Promise.FromResult(1), b);
        rb.Resolve("x");
        Assert.Equal((1, "x"), both.Result);
        var (c, rc) = Promise.Create<string>();
        var e = new TestException();
        var both2 = Promise.Both(Promise.FromException<int>(e), c);
        rc.Resolve("y");
        Assert.Same(e, both2.Error);
    });

    [Fact]
    public void Both_cancel_cancels_both() => TestLoop.Run(() =>
    {
        var (a, _) = Promise.CreateCancelable<int>();
        var (b, _) = Promise.CreateCancelable<int>();
        var both = Promise.Both(a, b);
        both.Cancel();
        Assert.True(a.IsCanceled && b.IsCanceled && both.IsCanceled);
    });

    [Fact]
    public void Both_null_throws() => TestLoop.Run(() =>
    {
        Assert.Throws<ArgumentNullException>(() => Promise.Both<int, int>(null!, Promise.FromResult(1)));
        Assert.Throws<ArgumentNullException>(() => Promise.Both<int, int>(Promise.FromResult(1), null!));
    });
}
