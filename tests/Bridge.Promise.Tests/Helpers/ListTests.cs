namespace PromiseTests.Helpers;

public class ListTests
{
    private static readonly int[] Items = { 1, 2, 3 };

    [Fact]
    public void IterS_is_sequential() => TestLoop.Run(() =>
    {
        var log = new Log();
        var resolvers = new List<Resolver<Unit>>();
        var done = PromiseList.IterS(x =>
        {
            log.Add(x.ToString());
            var (p, r) = Promise.Create<Unit>();
            resolvers.Add(r);
            return p;
        }, Items);
        Assert.Equal("1", log.ToString());
        resolvers[0].Resolve(default);
        Assert.Equal("1,2", log.ToString());
        resolvers[1].Resolve(default);
        resolvers[2].Resolve(default);
        Assert.Equal(PromiseState.Fulfilled, done.State);
    });

    [Fact]
    public void IterP_starts_all_in_order() => TestLoop.Run(() =>
    {
        var log = new Log();
        var (gate, open) = Promise.Create<Unit>();
        var done = PromiseList.IterP(x =>
        {
            log.Add(x.ToString());
            return gate;
        }, Items);
        Assert.Equal("1,2,3", log.ToString());
        Assert.True(done.IsPending);
        open.Resolve(default);
        Assert.Equal(PromiseState.Fulfilled, done.State);
    });

    [Fact]
    public void Indexed_variants() => TestLoop.Run(() =>
    {
        var seen = new List<(int, int)>();
        PromiseList.IteriS((i, x) => { seen.Add((i, x)); return Promise.Unit; }, Items);
        PromiseList.IteriP((i, x) => { seen.Add((i, x)); return Promise.Unit; }, Items);
        Assert.Equal(new[] { (0, 1), (1, 2), (2, 3), (0, 1), (1, 2), (2, 3) }, seen);
        Assert.Equal(new[] { 1, 3, 5 }, PromiseList.MapiS((i, x) => Promise.FromResult(i + x), Items).Result);
        Assert.Equal(new[] { 1, 3, 5 }, PromiseList.MapiP((i, x) => Promise.FromResult(i + x), Items).Result);
    });

    [Fact]
    public void Sync_throw_becomes_rejection_everywhere() => TestLoop.Run(() =>
    {
        Func<int, Promise<Unit>> boomU = _ => throw new TestException();
        Func<int, Promise<bool>> boomB = _ => throw new TestException();
        Assert.IsType<TestException>(PromiseList.IterS(boomU, Items).Error);
        Assert.IsType<TestException>(PromiseList.IterP(boomU, Items).Error);
        Assert.IsType<TestException>(PromiseList.MapS<int, int>(_ => throw new TestException(), Items).Error);
        Assert.IsType<TestException>(PromiseList.MapP<int, int>(_ => throw new TestException(), Items).Error);
        Assert.IsType<TestException>(PromiseList.FilterS(boomB, Items).Error);
        Assert.IsType<TestException>(PromiseList.FilterP(boomB, Items).Error);
        Assert.IsType<TestException>(PromiseList.ForAllS(boomB, Items).Error);
        Assert.IsType<TestException>(PromiseList.ForAllP(boomB, Items).Error);
        Assert.IsType<TestException>(PromiseList.ExistsS(boomB, Items).Error);
        Assert.IsType<TestException>(PromiseList.ExistsP(boomB, Items).Error);
        Assert.IsType<TestException>(PromiseList.FindS(boomB, Items).Error);
        Assert.IsType<TestException>(PromiseList.PartitionS(boomB, Items).Error);
        Assert.IsType<TestException>(PromiseList.PartitionP(boomB, Items).Error);
        Assert.IsType<TestException>(PromiseList.FoldLeftS<int, int>((_, _) => throw new TestException(), 0, Items).Error);
        Assert.IsType<TestException>(PromiseList.FoldRightS<int, int>((_, _) => throw new TestException(), Items, 0).Error);
    });

    [Fact]
    public void MapS_and_MapP_keep_order() => TestLoop.Run(() =>
    {
        Assert.Equal(new[] { 2, 4, 6 }, PromiseList.MapS(x => Promise.FromResult(x * 2), Items).Result);
        var resolvers = new List<Resolver<int>>();
        var r = PromiseList.MapP(x =>
        {
            var (p, rr) = Promise.Create<int>();
            resolvers.Add(rr);
            return p;
        }, Items);
        resolvers[2].Resolve(30);
        resolvers[0].Resolve(10);
        resolvers[1].Resolve(20);
        Assert.Equal(new[] { 10, 20, 30 }, r.Result);
    });

    [Fact]
    public void MapP_reports_rejection_when_collector_reaches_it() => TestLoop.Run(() =>
    {
        var resolvers = new List<Resolver<int>>();
        var r = PromiseList.MapP(x =>
        {
            var (p, rr) = Promise.Create<int>();
            resolvers.Add(rr);
            return p;
        }, Items);
        resolvers[2].Reject(new TestException());
        Assert.IsType<TestException>(r.Error);
        Assert.True(resolvers[0].Promise.IsPending);
    });

    [Fact]
    public void MapS_stops_at_rejection() => TestLoop.Run(() =>
    {
        var calls = 0;
        var r = PromiseList.MapS(x =>
        {
            calls++;
            return x == 2 ? Promise.FromException<int>(new TestException()) : Promise.FromResult(x);
        }, Items);
        Assert.IsType<TestException>(r.Error);
        Assert.Equal(2, calls);
    });

    [Fact]
    public void Filters_keep_order() => TestLoop.Run(() =>
    {
        Assert.Equal(new[] { 1, 3 }, PromiseList.FilterS(x => Promise.FromResult(x != 2), Items).Result);
        Assert.Equal(new[] { 1, 3 }, PromiseList.FilterP(x => Promise.FromResult(x != 2), Items).Result);
        Assert.Equal(new[] { "1", "3" }, PromiseList.FilterMapS(x => Promise.FromResult((x != 2, x.ToString())), Items).Result);
        Assert.Equal(new[] { "1", "3" }, PromiseList.FilterMapP(x => Promise.FromResult((x != 2, x.ToString())), Items).Result);
    });

    [Fact]
    public void Folds() => TestLoop.Run(() =>
    {
        Assert.Equal("0123", PromiseList.FoldLeftS((acc, x) => Promise.FromResult(acc + x), "0", Items).Result);
        Assert.Equal("0321", PromiseList.FoldRightS((x, acc) => Promise.FromResult(acc + x), Items, "0").Result);
    });

    [Fact]
    public void ForAll_and_Exists() => TestLoop.Run(() =>
    {
        Assert.True(PromiseList.ForAllS(x => Promise.FromResult(x > 0), Items).Result);
        Assert.False(PromiseList.ForAllS(x => Promise.FromResult(x > 1), Items).Result);
        Assert.True(PromiseList.ForAllP(x => Promise.FromResult(x > 0), Items).Result);
        Assert.False(PromiseList.ForAllP(x => Promise.FromResult(x > 1), Items).Result);
        Assert.True(PromiseList.ExistsS(x => Promise.FromResult(x == 3), Items).Result);
        Assert.False(PromiseList.ExistsS(x => Promise.FromResult(x == 4), Items).Result);
        Assert.True(PromiseList.ExistsP(x => Promise.FromResult(x == 3), Items).Result);
        Assert.False(PromiseList.ExistsP(x => Promise.FromResult(x == 4), Items).Result);
    });

    [Fact]
    public void ForAllS_short_circuits() => TestLoop.Run(() =>
    {
        var calls = 0;
        PromiseList.ForAllS(x => { calls++; return Promise.FromResult(false); }, Items);
        Assert.Equal(1, calls);
        calls = 0;
        PromiseList.ExistsS(x => { calls++; return Promise.FromResult(true); }, Items);
        Assert.Equal(1, calls);
    });

    [Fact]
    public void FindS() => TestLoop.Run(() =>
    {
        Assert.Equal(2, PromiseList.FindS(x => Promise.FromResult(x % 2 == 0), Items).Result);
        Assert.IsType<InvalidOperationException>(PromiseList.FindS(x => Promise.FromResult(x > 5), Items).Error);
    });

    [Fact]
    public void Partitions() => TestLoop.Run(() =>
    {
        var (yes, no) = PromiseList.PartitionS(x => Promise.FromResult(x != 2), Items).Result;
        Assert.Equal(new[] { 1, 3 }, yes);
        Assert.Equal(new[] { 2 }, no);
        (yes, no) = PromiseList.PartitionP(x => Promise.FromResult(x != 2), Items).Result;
        Assert.Equal(new[] { 1, 3 }, yes);
        Assert.Equal(new[] { 2 }, no);
    });

    [Fact]
    public void Empty_lists() => TestLoop.Run(() =>
    {
        var empty = Array.Empty<int>();
        Assert.Equal(PromiseState.Fulfilled, PromiseList.IterS(_ => Promise.Unit, empty).State);
        Assert.Equal(PromiseState.Fulfilled, PromiseList.IterP(_ => Promise.Unit, empty).State);
        Assert.Empty(PromiseList.MapP(Promise.FromResult, empty).Result);
        Assert.True(PromiseList.ForAllS(_ => Promise.FromResult(false), empty).Result);
    });

    [Fact]
    public void Long_sequential_list_is_stack_safe() => TestLoop.Run(() =>
    {
        var items = Enumerable.Range(0, 200_000).ToArray();
        Assert.Equal(200_000, PromiseList.FoldLeftS((acc, _) => Promise.FromResult(acc + 1), 0, items).Result);
    });

    [Fact]
    public void Null_arguments() => TestLoop.Run(() =>
    {
        Assert.Throws<ArgumentNullException>(() => PromiseList.IterS<int>(null!, Items));
        Assert.Throws<ArgumentNullException>(() => PromiseList.IterS(_ => Promise.Unit, (int[])null!));
        Assert.Throws<ArgumentNullException>(() => PromiseList.MapP<int, int>(null!, Items));
        Assert.Throws<ArgumentNullException>(() => PromiseList.FindS<int>(null!, Items));
    });
}

public class PoolTests
{
    [Fact]
    public void Elements_are_created_lazily_and_reused() => TestLoop.Run(() =>
    {
        var created = 0;
        var pool = new PromisePool<int>(2, () => Promise.FromResult(++created));
        Assert.Equal(0, created);
        Assert.Equal(1, pool.Use(x => Promise.FromResult(x)).Result);
        Assert.Equal(1, pool.Use(x => Promise.FromResult(x)).Result);
        Assert.Equal(1, created);
    });

    [Fact]
    public void Use_waits_when_all_busy_fifo() => TestLoop.Run(() =>
    {
        var created = 0;
        var pool = new PromisePool<int>(1, () => Promise.FromResult(++created));
        var (gate, open) = Promise.Create<Unit>();
        var first = pool.Use(x => gate.Map(_ => x));
        var second = pool.Use(x => Promise.FromResult(x * 10));
        Assert.Equal(1, pool.WaitQueueLength);
        Assert.True(second.IsPending);
        open.Resolve(default);
        Assert.Equal(1, first.Result);
        Assert.Equal(10, second.Result);
        Assert.Equal(1, created);
    });

    [Fact]
    public void Failed_use_keeps_element_by_default_and_rejects() => TestLoop.Run(() =>
    {
        var created = 0;
        var pool = new PromisePool<int>(1, () => Promise.FromResult(++created));
        Assert.IsType<TestException>(pool.Use<int>(_ => throw new TestException()).Error);
        Assert.Equal(1, pool.Use(Promise.FromResult).Result);
    });

    [Fact]
    public void Check_false_disposes_element() => TestLoop.Run(() =>
    {
        var created = 0;
        var disposed = new List<int>();
        var pool = new PromisePool<int>(1, () => Promise.FromResult(++created),
            check: _ => Promise.FromResult(false),
            dispose: x => { disposed.Add(x); return Promise.Unit; });
        Assert.IsType<TestException>(pool.Use<int>(_ => Promise.FromException<int>(new TestException())).Error);
        Assert.Equal(new[] { 1 }, disposed);
        Assert.Equal(2, pool.Use(Promise.FromResult).Result);
    });

    [Fact]
    public void Validate_false_replaces_element() => TestLoop.Run(() =>
    {
        var created = 0;
        var disposed = new List<int>();
        var pool = new PromisePool<int>(1, () => Promise.FromResult(++created),
            validate: x => Promise.FromResult(x > 1),
            dispose: x => { disposed.Add(x); return Promise.Unit; });
        Assert.Equal(1, pool.Use(Promise.FromResult).Result);
        Assert.Equal(2, pool.Use(Promise.FromResult).Result);
        Assert.Equal(new[] { 1 }, disposed);
    });

    [Fact]
    public void Validate_failure_rejects_use() => TestLoop.Run(() =>
    {
        var created = 0;
        var pool = new PromisePool<int>(1, () => Promise.FromResult(++created), validate: _ => throw new TestException());
        Assert.Equal(1, pool.Use(Promise.FromResult).Result);
        Assert.IsType<TestException>(pool.Use(Promise.FromResult).Error);
    });

    [Fact]
    public void Creation_failure_rejects_and_frees_slot() => TestLoop.Run(() =>
    {
        var attempts = 0;
        var pool = new PromisePool<int>(1, () => ++attempts == 1 ? throw new TestException() : Promise.FromResult(attempts));
        Assert.IsType<TestException>(pool.Use(Promise.FromResult).Error);
        Assert.Equal(2, pool.Use(Promise.FromResult).Result);
    });

    [Fact]
    public void Clear_disposes_idle_and_in_use_on_release() => TestLoop.Run(() =>
    {
        var created = 0;
        var disposed = new List<int>();
        var pool = new PromisePool<int>(2, () => Promise.FromResult(++created), dispose: x => { disposed.Add(x); return Promise.Unit; });
        var (gate, open) = Promise.Create<Unit>();
        var busy = pool.Use(x => gate.Map(_ => x));
        Assert.Equal(2, pool.Use(Promise.FromResult).Result);
        Assert.Equal(PromiseState.Fulfilled, pool.Clear().State);
        Assert.Equal(new[] { 2 }, disposed);
        open.Resolve(default);
        Assert.Equal(1, busy.Result);
        Assert.Equal(new[] { 2, 1 }, disposed);
        Assert.Equal(3, pool.Use(Promise.FromResult).Result);
    });

    [Fact]
    public void Bad_arguments() => TestLoop.Run(() =>
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PromisePool<int>(-1, () => Promise.FromResult(0)));
        Assert.Throws<ArgumentNullException>(() => new PromisePool<int>(1, null!));
        Assert.Throws<ArgumentNullException>(() => new PromisePool<int>(1, () => Promise.FromResult(0)).Use<int>(null!));
    });
}
