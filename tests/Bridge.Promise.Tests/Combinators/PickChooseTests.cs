namespace PromiseTests.Combinators;

public class PickChooseTests
{
    [Fact]
    public void Empty_choice_family_throws_argument_exception() => TestLoop.Run(() =>
    {
        Assert.Contains("pending forever", Assert.Throws<ArgumentException>(() => Promise.Pick<int>()).Message);
        Assert.Throws<ArgumentException>(() => Promise.Choose<int>());
        Assert.Throws<ArgumentException>(() => Promise.NPick(Array.Empty<Promise<int>>()));
        Assert.Throws<ArgumentException>(() => Promise.NChoose(Array.Empty<Promise<int>>()));
        Assert.Throws<ArgumentException>(() => Promise.NChooseSplit(Array.Empty<Promise<int>>()));
    });

    [Fact]
    public void Choose_single_resolved_returns_it() => TestLoop.Run(() =>
    {
        var (a, _) = Promise.Create<int>();
        var b = Promise.FromResult(2);
        Assert.Same(b, Promise.Choose(a, b));
    });

    [Fact]
    public void Choose_rejected_beats_fulfilled() => TestLoop.Run(() =>
    {
        for (int i = 0; i < 20; i++)
        {
            var bad = Promise.FromException<int>(new TestException());
            var chosen = Promise.Choose(Promise.FromResult(1), bad, Promise.FromResult(2));
            Assert.Same(bad, chosen);
        }
    });

    [Fact]
    public void Choose_among_several_fulfilled_returns_one_of_them() => TestLoop.Run(() =>
    {
        var inputs = new[] { Promise.FromResult(1), Promise.FromResult(2), Promise.FromResult(3) };
        var chosen = Promise.Choose(inputs);
        Assert.Contains(chosen, inputs);
    });

    [Fact]
    public void Choose_pending_first_to_resolve_wins_others_untouched() => TestLoop.Run(() =>
    {
        var (a, ra) = Promise.CreateCancelable<int>();
        var (b, rb) = Promise.CreateCancelable<int>();
        var c = Promise.Choose(a, b);
        Assert.True(c.IsPending);
        rb.Resolve(2);
        Assert.Equal(2, c.Result);
        Assert.True(a.IsPending);
        ra.Resolve(1);
        Assert.Equal(2, c.Result);
    });

    [Fact]
    public void Choose_pending_rejection() => TestLoop.Run(() =>
    {
        var (a, ra) = Promise.Create<int>();
        var (b, _) = Promise.Create<int>();
        var c = Promise.Choose(a, b);
        ra.Reject(new TestException());
        Assert.IsType<TestException>(c.Error);
    });

    [Fact]
    public void Choose_cancel_cancels_all_inputs() => TestLoop.Run(() =>
    {
        var (a, _) = Promise.CreateCancelable<int>();
        var (b, _) = Promise.CreateCancelable<int>();
        var c = Promise.Choose(a, b);
        c.Cancel();
        Assert.True(a.IsCanceled && b.IsCanceled && c.IsCanceled);
    });

    [Fact]
    public void Pick_resolved_input_cancels_pending_and_returns_same_object() => TestLoop.Run(() =>
    {
        var (a, _) = Promise.CreateCancelable<int>();
        var b = Promise.FromResult(2);
        var (c, _) = Promise.CreateCancelable<int>();
        var p = Promise.Pick(a, b, c);
        Assert.Same(b, p);
        Assert.True(a.IsCanceled && c.IsCanceled);
    });

    [Fact]
    public void Pick_rejected_beats_fulfilled() => TestLoop.Run(() =>
    {
        var bad = Promise.FromException<int>(new TestException());
        Assert.Same(bad, Promise.Pick(Promise.FromResult(1), bad));
    });

    [Fact]
    public void Pick_cancels_losers_before_resolving() => TestLoop.Run(() =>
    {
        var (a, ra) = Promise.CreateCancelable<int>();
        var (b, _) = Promise.CreateCancelable<int>();
        var log = new Log();
        b.OnCancel(() => log.Add("b canceled"));
        var p = Promise.Pick(a, b);
        p.OnSuccess(v => log.Add("pick " + v));
        ra.Resolve(1);
        Assert.Equal("b canceled,pick 1", log.ToString());
        Assert.True(b.IsCanceled);
    });

    [Fact]
    public void Pick_loser_not_cancelable_stays_pending() => TestLoop.Run(() =>
    {
        var (a, ra) = Promise.Create<int>();
        var (b, _) = Promise.Create<int>();
        var p = Promise.Pick(a, b);
        ra.Resolve(1);
        Assert.Equal(1, p.Result);
        Assert.True(b.IsPending);
    });

    [Fact]
    public void Pick_cancel_cancels_inputs() => TestLoop.Run(() =>
    {
        var (a, _) = Promise.CreateCancelable<int>();
        var (b, _) = Promise.CreateCancelable<int>();
        var p = Promise.Pick(a, b);
        p.Cancel();
        Assert.True(a.IsCanceled && b.IsCanceled && p.IsCanceled);
    });

    [Fact]
    public void Pick_rejection_wins_when_first() => TestLoop.Run(() =>
    {
        var (a, ra) = Promise.CreateCancelable<int>();
        var (b, _) = Promise.CreateCancelable<int>();
        var p = Promise.Pick(a, b);
        ra.Reject(new TestException());
        Assert.IsType<TestException>(p.Error);
        Assert.True(b.IsCanceled);
    });

    [Fact]
    public void Pick_null_arguments() => TestLoop.Run(() =>
    {
        Assert.Throws<ArgumentNullException>(() => Promise.Pick((IEnumerable<Promise<int>>)null!));
        Assert.Throws<ArgumentNullException>(() => Promise.Pick(Promise.FromResult(1), null!));
    });

    [Fact]
    public void Choose_long_lived_input_does_not_accumulate_dead_entries() => TestLoop.Run(() =>
    {
        var (stop, _) = Promise.Create<int>();
        for (int i = 0; i < 1000; i++)
        {
            var (x, rx) = Promise.Create<int>();
            var c = Promise.Choose(stop, x);
            rx.Resolve(i);
            Assert.Equal(i, c.Result);
        }

        int count = 0;
        for (var n = (ICallbackCounter)new ICallbackCounter(stop); n.Next(); )
        {
            count++;
        }

        Assert.True(count <= 2, $"{count} callbacks left on the long-lived promise");
    });

    [Fact]
    public void Choose_long_lived_second_input_does_not_accumulate_dead_entries() => TestLoop.Run(() =>
    {
        var (stop, _) = Promise.Create<int>();
        stop.OnSuccess(_ => { });
        for (int i = 0; i < 1000; i++)
        {
            var (x, rx) = Promise.Create<int>();
            var c = Promise.Choose(x, stop);
            rx.Resolve(i);
            Assert.Equal(i, c.Result);
        }

        int count = 0;
        for (var n = (ICallbackCounter)new ICallbackCounter(stop); n.Next(); )
        {
            count++;
        }

        Assert.True(count <= 3, $"{count} callbacks left on the long-lived promise");
    });

    [Fact]
    public void NChoose_resolved_collects_in_order() => TestLoop.Run(() =>
    {
        var (a, _) = Promise.Create<int>();
        var r = Promise.NChoose(new[] { Promise.FromResult(1), a, Promise.FromResult(3) });
        Assert.Equal(new[] { 1, 3 }, r.Result);
    });

    [Fact]
    public void NChoose_rejected_wins() => TestLoop.Run(() =>
    {
        var e = new TestException();
        var r = Promise.NChoose(new[] { Promise.FromResult(1), Promise.FromException<int>(e) });
        Assert.Same(e, r.Error);
    });

    [Fact]
    public void NChoose_pending_collects_all_fulfilled_at_that_moment() => TestLoop.Run(() =>
    {
        var (a, ra) = Promise.Create<int>();
        var (b, rb) = Promise.Create<int>();
        var (c, _) = Promise.Create<int>();
        var r = Promise.NChoose(new[] { a, b, c });
        a.OnSuccess(_ => rb.Resolve(2));
        ra.Resolve(1);
        Assert.Equal(new[] { 1, 2 }, r.Result);
        Assert.True(c.IsPending);
    });

    [Fact]
    public void NChoose_pending_rejection() => TestLoop.Run(() =>
    {
        var (a, ra) = Promise.Create<int>();
        var (b, _) = Promise.Create<int>();
        var r = Promise.NChoose(new[] { a, b });
        ra.Reject(new TestException());
        Assert.IsType<TestException>(r.Error);
    });

    [Fact]
    public void NPick_resolved_cancels_pending() => TestLoop.Run(() =>
    {
        var (a, _) = Promise.CreateCancelable<int>();
        var r = Promise.NPick(new[] { Promise.FromResult(1), a });
        Assert.Equal(new[] { 1 }, r.Result);
        Assert.True(a.IsCanceled);
    });

    [Fact]
    public void NPick_pending_collects_before_canceling() => TestLoop.Run(() =>
    {
        var (a, ra) = Promise.CreateCancelable<int>();
        var (b, _) = Promise.CreateCancelable<int>();
        var log = new Log();
        b.OnCancel(() => log.Add("b canceled"));
        var r = Promise.NPick(new[] { a, b });
        r.OnSuccess(v => log.Add("npick " + string.Join("+", v)));
        ra.Resolve(1);
        Assert.Equal(new[] { 1 }, r.Result);
        Assert.Equal("b canceled,npick 1", log.ToString());
    });

    [Fact]
    public void NPick_rejected_cancels_and_rejects() => TestLoop.Run(() =>
    {
        var (a, _) = Promise.CreateCancelable<int>();
        var r = Promise.NPick(new[] { a, Promise.FromException<int>(new TestException()) });
        Assert.IsType<TestException>(r.Error);
        Assert.True(a.IsCanceled);
    });

    [Fact]
    public void NPick_cancel_result_cancels_inputs() => TestLoop.Run(() =>
    {
        var (a, _) = Promise.CreateCancelable<int>();
        var r = Promise.NPick(new[] { a });
        r.Cancel();
        Assert.True(a.IsCanceled);
        Assert.True(r.IsCanceled);
    });

    [Fact]
    public void NChooseSplit_sync_pending_list_is_reversed() => TestLoop.Run(() =>
    {
        var (a, _) = Promise.Create<int>();
        var (b, _) = Promise.Create<int>();
        var r = Promise.NChooseSplit(new[] { a, Promise.FromResult(1), b });
        var (values, pending) = r.Result;
        Assert.Equal(new[] { 1 }, values);
        Assert.Equal(new[] { b, a }, pending);
    });

    [Fact]
    public void NChooseSplit_async_pending_list_in_input_order() => TestLoop.Run(() =>
    {
        var (a, _) = Promise.Create<int>();
        var (b, rb) = Promise.Create<int>();
        var (c, _) = Promise.Create<int>();
        var r = Promise.NChooseSplit(new[] { a, b, c });
        rb.Resolve(2);
        var (values, pending) = r.Result;
        Assert.Equal(new[] { 2 }, values);
        Assert.Equal(new[] { a, c }, pending);
    });

    [Fact]
    public void NChooseSplit_rejection() => TestLoop.Run(() =>
    {
        var (a, ra) = Promise.Create<int>();
        var r = Promise.NChooseSplit(new[] { a });
        ra.Reject(new TestException());
        Assert.IsType<TestException>(r.Error);
        Assert.IsType<TestException>(Promise.NChooseSplit(new[] { Promise.FromException<int>(new TestException()) }).Error);
    });
}

/// <summary>Counts callback nodes on a pending promise (through internals).</summary>
internal sealed class ICallbackCounter(Promise<int> p)
{
    private object? _node = typeof(Promise<int>).GetField("_ref", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(p);
    private bool _started;

    public bool Next()
    {
        if (_started && _node is not null)
        {
            _node = _node.GetType().GetProperty("Next")!.GetValue(_node);
        }

        _started = true;
        return _node is not null;
    }
}
