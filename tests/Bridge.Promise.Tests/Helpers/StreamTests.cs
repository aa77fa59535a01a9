namespace PromiseTests.Helpers;

public class StreamTests
{
    [Fact]
    public void Push_then_get() => TestLoop.Run(() =>
    {
        var (s, push) = PromiseStream.Create<int>();
        push.Push(1);
        push.Push(2);
        Assert.Equal((true, 1), s.Get().Result);
        Assert.Equal((true, 2), s.Get().Result);
        Assert.True(s.Get().IsPending);
    });

    [Fact]
    public void Get_waits_for_push() => TestLoop.Run(() =>
    {
        var (s, push) = PromiseStream.Create<int>();
        var g = s.Get();
        Assert.True(g.IsPending);
        push.Push(5);
        Assert.Equal((true, 5), g.Result);
    });

    [Fact]
    public void Two_waiting_gets_receive_successive_elements() => TestLoop.Run(() =>
    {
        var (s, push) = PromiseStream.Create<int>();
        var g1 = s.Get();
        var g2 = s.Get();
        push.Push(1);
        Assert.Equal((true, 1), g1.Result);
        Assert.True(g2.IsPending);
        push.Push(2);
        Assert.Equal((true, 2), g2.Result);
    });

    [Fact]
    public void Close_ends_stream_and_wakes_readers() => TestLoop.Run(() =>
    {
        var (s, push) = PromiseStream.Create<int>();
        var g = s.Get();
        Assert.False(s.IsClosed);
        Assert.True(s.Closed.IsPending);
        push.Close();
        Assert.True(s.IsClosed);
        Assert.Equal(PromiseState.Fulfilled, s.Closed.State);
        Assert.False(g.Result.HasValue);
        Assert.False(s.Get().Result.HasValue);
        Assert.True(push.IsClosed);
        push.Close();
    });

    [Fact]
    public void Elements_before_close_are_still_read() => TestLoop.Run(() =>
    {
        var (s, push) = PromiseStream.Create<int>();
        push.Push(1);
        push.Close();
        Assert.True(s.IsClosed);
        Assert.Equal((true, 1), s.Get().Result);
        Assert.False(s.Get().Result.HasValue);
    });

    [Fact]
    public void Push_after_close_throws() => TestLoop.Run(() =>
    {
        var (_, push) = PromiseStream.Create<int>();
        push.Close();
        Assert.Contains("closed", Assert.Throws<InvalidOperationException>(() => push.Push(1)).Message);
    });

    [Fact]
    public void Next_rejects_at_end() => TestLoop.Run(() =>
    {
        var (s, push) = PromiseStream.Create<int>();
        push.Push(3);
        push.Close();
        Assert.Equal(3, s.Next().Result);
        Assert.IsType<InvalidOperationException>(s.Next().Error);
    });

    [Fact]
    public void Peek_does_not_consume() => TestLoop.Run(() =>
    {
        var (s, push) = PromiseStream.Create<int>();
        var pk = s.Peek();
        Assert.True(pk.IsPending);
        push.Push(1);
        Assert.Equal((true, 1), pk.Result);
        Assert.Equal((true, 1), s.Peek().Result);
        Assert.Equal((true, 1), s.Get().Result);
        push.Close();
        Assert.False(s.Peek().Result.HasValue);
    });

    [Fact]
    public void Junk_discards() => TestLoop.Run(() =>
    {
        var (s, push) = PromiseStream.Create<int>();
        push.Push(1);
        push.Push(2);
        Assert.Equal(PromiseState.Fulfilled, s.Junk().State);
        Assert.Equal((true, 2), s.Get().Result);
    });

    [Fact]
    public void NGet_reads_up_to_n() => TestLoop.Run(() =>
    {
        var (s, push) = PromiseStream.Create<int>();
        for (int i = 0; i < 5; i++)
        {
            push.Push(i);
        }

        Assert.Equal(new[] { 0, 1, 2 }, s.NGet(3).Result);
        var rest = s.NGet(10);
        Assert.True(rest.IsPending);
        push.Close();
        Assert.Equal(new[] { 3, 4 }, rest.Result);
        Assert.Throws<ArgumentOutOfRangeException>(() => s.NGet(-1));
        Assert.Empty(s.NGet(0).Result);
    });

    [Fact]
    public void GetAvailable_is_non_blocking() => TestLoop.Run(() =>
    {
        var (s, push) = PromiseStream.Create<int>();
        Assert.Empty(s.GetAvailable());
        push.Push(1);
        push.Push(2);
        Assert.Equal(new[] { 1, 2 }, s.GetAvailable());
        Assert.Empty(s.GetAvailable());
    });

    [Fact]
    public void Clone_reads_independently() => TestLoop.Run(() =>
    {
        var (s, push) = PromiseStream.Create<int>();
        push.Push(1);
        var c = s.Clone();
        push.Push(2);
        Assert.Equal((true, 1), s.Get().Result);
        Assert.Equal((true, 1), c.Get().Result);
        Assert.Equal((true, 2), c.Get().Result);
        Assert.Equal((true, 2), s.Get().Result);
    });

    [Fact]
    public void Clone_waiters_both_receive_element() => TestLoop.Run(() =>
    {
        var (s, push) = PromiseStream.Create<int>();
        var c = s.Clone();
        var g1 = s.Get();
        var g2 = c.Get();
        push.Push(7);
        Assert.Equal((true, 7), g1.Result);
        Assert.Equal((true, 7), g2.Result);
    });

    [Fact]
    public void Canceling_a_waiting_get_does_not_lose_the_element() => TestLoop.Run(() =>
    {
        var (s, push) = PromiseStream.Create<int>();
        var g = s.Get();
        g.Cancel();
        Assert.True(g.IsCanceled);
        push.Push(1);
        Assert.Equal((true, 1), s.Get().Result);
    });

    [Fact]
    public void Push_inside_callback_defers_reader_wakeup() => TestLoop.Run(() =>
    {
        var (s, push) = PromiseStream.Create<int>();
        var (p, r) = Promise.Create<Unit>();
        var log = new Log();
        s.Get().OnSuccess(item => log.Add("read " + item.Value));
        p.OnSuccess(_ =>
        {
            push.Push(1);
            log.Add("pushed");
        });
        r.Resolve(default);
        Assert.Equal("pushed,read 1", log.ToString());
    });

    [Fact]
    public void Iter_functions() => TestLoop.Run(() =>
    {
        var (s, push) = PromiseStream.Create<int>();
        var seen = new List<int>();
        var done = s.Iter(seen.Add);
        push.Push(1);
        push.Push(2);
        Assert.True(done.IsPending);
        push.Close();
        Assert.Equal(PromiseState.Fulfilled, done.State);
        Assert.Equal(new[] { 1, 2 }, seen);
    });

    [Fact]
    public void IterS_waits_for_each() => TestLoop.Run(() =>
    {
        var s = PromiseStream.OfEnumerable(new[] { 1, 2, 3 });
        var log = new Log();
        return s.IterS(x => Promise.Pause().Map(_ =>
        {
            log.Add(x.ToString());
            return default(Unit);
        })).Map(_ =>
        {
            Assert.Equal("1,2,3", log.ToString());
            return 0;
        });
    });

    [Fact]
    public void IterP_runs_concurrently() => TestLoop.Run(() =>
    {
        var (s, push) = PromiseStream.Create<int>();
        var resolvers = new List<Resolver<Unit>>();
        var started = 0;
        var done = s.IterP(_ =>
        {
            started++;
            var (p, r) = Promise.Create<Unit>();
            resolvers.Add(r);
            return p;
        });
        push.Push(1);
        push.Push(2);
        push.Close();
        Assert.Equal(2, started);
        Assert.True(done.IsPending);
        resolvers.ForEach(r => r.Resolve(default));
        Assert.Equal(PromiseState.Fulfilled, done.State);
    });

    [Fact]
    public void Iter_exception_rejects() => TestLoop.Run(() =>
    {
        var s = PromiseStream.OfEnumerable(new[] { 1 });
        Assert.IsType<TestException>(s.Iter(_ => throw new TestException()).Error);
        Assert.IsType<TestException>(PromiseStream.OfEnumerable(new[] { 1 }).IterS(_ => throw new TestException()).Error);
    });

    [Fact]
    public void Map_filter_fold_tolist() => TestLoop.Run(() =>
    {
        Assert.Equal(new[] { 2, 4, 6 }, PromiseStream.OfEnumerable(new[] { 1, 2, 3 }).Map(x => x * 2).ToList().Result);
        Assert.Equal(new[] { 2 }, PromiseStream.OfEnumerable(new[] { 1, 2, 3 }).Filter(x => x % 2 == 0).ToList().Result);
        Assert.Equal(6, PromiseStream.OfEnumerable(new[] { 1, 2, 3 }).Fold((x, acc) => x + acc, 0).Result);
        Assert.Equal(new[] { "1", "2" }, PromiseStream.OfEnumerable(new[] { 1, 2 }).MapS(x => Promise.FromResult(x.ToString())).ToList().Result);
        Assert.Equal(new[] { 1, 3 }, PromiseStream.OfEnumerable(new[] { 1, 2, 3 }).FilterS(x => Promise.FromResult(x != 2)).ToList().Result);
        Assert.Equal(10, PromiseStream.OfEnumerable(new[] { 1, 2, 3 }).FoldS((x, acc) => Promise.FromResult(x + acc), 4).Result);
    });

    [Fact]
    public void Map_over_push_stream_waits() => TestLoop.Run(() =>
    {
        var (s, push) = PromiseStream.Create<int>();
        var m = s.Map(x => x + 1);
        var g = m.Get();
        Assert.True(g.IsPending);
        push.Push(1);
        Assert.Equal((true, 2), g.Result);
        push.Close();
        Assert.False(m.Get().Result.HasValue);
    });

    [Fact]
    public void From_generator_failure_rejects_reader_and_stream_stays_open() => TestLoop.Run(() =>
    {
        var calls = 0;
        var s = PromiseStream.From(() =>
        {
            calls++;
            return calls == 1
                ? Promise.FromException<(bool, int)>(new TestException())
                : Promise.FromResult((true, calls));
        });
        Assert.IsType<TestException>(s.Get().Error);
        Assert.False(s.IsClosed);
        Assert.Equal((true, 2), s.Get().Result);
    });

    [Fact]
    public void From_generator_end_closes() => TestLoop.Run(() =>
    {
        var s = PromiseStream.From(() => Promise.FromResult((false, 0)));
        Assert.False(s.Get().Result.HasValue);
        Assert.True(s.IsClosed);
    });

    [Fact]
    public void From_concurrent_readers_share_one_call() => TestLoop.Run(() =>
    {
        var calls = 0;
        var (gate, open) = Promise.Create<Unit>();
        var s = PromiseStream.From(() =>
        {
            calls++;
            return gate.Map(_ => (true, calls));
        });
        var g1 = s.Get();
        var g2 = s.Get();
        Assert.Equal(1, calls);
        open.Resolve(default);
        Assert.True(g1.Result.HasValue && g2.Result.HasValue);
        Assert.Contains(1, new[] { g1.Result.Value, g2.Result.Value });
    });

    [Fact]
    public void Null_arguments() => TestLoop.Run(() =>
    {
        var (s, _) = PromiseStream.Create<int>();
        Assert.Throws<ArgumentNullException>(() => s.Iter(null!));
        Assert.Throws<ArgumentNullException>(() => s.IterS(null!));
        Assert.Throws<ArgumentNullException>(() => s.IterP(null!));
        Assert.Throws<ArgumentNullException>(() => s.Map<int>(null!));
        Assert.Throws<ArgumentNullException>(() => s.MapS<int>(null!));
        Assert.Throws<ArgumentNullException>(() => s.Filter(null!));
        Assert.Throws<ArgumentNullException>(() => s.FilterS(null!));
        Assert.Throws<ArgumentNullException>(() => s.Fold<int>(null!, 0));
        Assert.Throws<ArgumentNullException>(() => s.FoldS<int>(null!, 0));
        Assert.Throws<ArgumentNullException>(() => PromiseStream.From<int>(null!));
        Assert.Throws<ArgumentNullException>(() => PromiseStream.OfEnumerable<int>(null!));
    });

    [Fact]
    public void Bounded_negative_size_throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => PromiseStream.CreateBounded<int>(-1));

    [Fact]
    public void Bounded_push_with_room_is_immediate() => TestLoop.Run(() =>
    {
        var (s, push) = PromiseStream.CreateBounded<int>(2);
        Assert.Equal(2, push.Size);
        Assert.Equal(PromiseState.Fulfilled, push.Push(1).State);
        Assert.Equal(PromiseState.Fulfilled, push.Push(2).State);
        Assert.Equal(2, push.Count);
        Assert.False(push.Blocked);
        var third = push.Push(3);
        Assert.True(third.IsPending);
        Assert.True(push.Blocked);
        Assert.Equal((true, 1), s.Get().Result);
        Assert.Equal(PromiseState.Fulfilled, third.State);
        Assert.False(push.Blocked);
        Assert.Equal(new[] { 2, 3 }, s.GetAvailable());
    });

    [Fact]
    public void Bounded_second_blocked_push_is_rejected_full() => TestLoop.Run(() =>
    {
        var (_, push) = PromiseStream.CreateBounded<int>(0);
        var first = push.Push(1);
        Assert.True(first.IsPending);
        var second = push.Push(2);
        Assert.Contains("Full", second.Error!.Message);
    });

    [Fact]
    public void Bounded_zero_size_hands_over_to_reader() => TestLoop.Run(() =>
    {
        var (s, push) = PromiseStream.CreateBounded<int>(0);
        var g = s.Get();
        var p = push.Push(9);
        Assert.Equal((true, 9), g.Result);
        Assert.Equal(PromiseState.Fulfilled, p.State);
    });

    [Fact]
    public void Bounded_close_rejects_blocked_push() => TestLoop.Run(() =>
    {
        var (s, push) = PromiseStream.CreateBounded<int>(0);
        var p = push.Push(1);
        push.Close();
        Assert.IsType<InvalidOperationException>(p.Error);
        Assert.True(push.IsClosed);
        Assert.False(s.Get().Result.HasValue);
        Assert.IsType<InvalidOperationException>(push.Push(2).Error);
    });

    [Fact]
    public void Bounded_cancel_blocked_push_drops_element() => TestLoop.Run(() =>
    {
        var (s, push) = PromiseStream.CreateBounded<int>(0);
        var p = push.Push(1);
        p.Cancel();
        Assert.True(p.IsCanceled);
        Assert.False(push.Blocked);
        Assert.Empty(s.GetAvailable());
    });

    [Fact]
    public void Bounded_resize() => TestLoop.Run(() =>
    {
        var (s, push) = PromiseStream.CreateBounded<int>(0);
        var p = push.Push(1);
        push.Resize(1);
        Assert.Equal(PromiseState.Fulfilled, p.State);
        Assert.Equal(1, push.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => push.Resize(-1));
        Assert.Equal((true, 1), s.Get().Result);
    });

    [Fact]
    public void Bounded_clone_throws() => TestLoop.Run(() =>
    {
        var (s, _) = PromiseStream.CreateBounded<int>(1);
        Assert.Throws<InvalidOperationException>(() => s.Clone());
    });

    [Fact]
    public void Large_push_get_loop() => TestLoop.Run(() =>
    {
        var (s, push) = PromiseStream.Create<int>();
        long sum = 0;
        var consumed = 0;
        void Next() => s.Get().OnSuccess(item =>
        {
            sum += item.Value;
            if (++consumed < 100_000)
            {
                Next();
            }
        });
        Next();
        for (int i = 0; i < 100_000; i++)
        {
            push.Push(i);
        }

        Assert.Equal(100_000, consumed);
        Assert.Equal(4_999_950_000L, sum);
    });
}
