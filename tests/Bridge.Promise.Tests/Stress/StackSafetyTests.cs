namespace PromiseTests.Stress;

public class StackSafetyTests
{
    private static Promise<Unit> Chain(int n) =>
        n == 0 ? Promise.Unit : Promise.Unit.Bind(_ => Chain(n - 1));

    [Fact]
    public void Ten_million_recursive_binds_on_resolved_promises_complete() => TestLoop.Run(() =>
    {
        var p = Chain(10_000_000);
        Assert.Equal(PromiseState.Fulfilled, p.State);
    });

    [Fact]
    public void One_million_resolution_cascade_completes() => TestLoop.Run(() =>
    {
        var (p, r) = Promise.Create<int>();
        var q = p;
        for (int i = 0; i < 1_000_000; i++)
        {
            q = q.Map(x => x + 1);
        }

        r.Resolve(0);
        Assert.Equal(1_000_000, q.Result);
    });

    [Fact]
    public void Deep_bind_cascade_through_returned_promises_completes() => TestLoop.Run(() =>
    {
        var (p, r) = Promise.Create<int>();
        var q = p;
        for (int i = 0; i < 300_000; i++)
        {
            q = q.Bind(x => Promise.FromResult(x + 1));
        }

        r.Resolve(0);
        Assert.Equal(300_000, q.Result);
    });

    [Fact]
    public void Cascade_through_proxy_chain_completes() => TestLoop.Run(() =>
    {
        // Each step returns a pending promise resolved later by the previous step's callback.
        var resolvers = new List<Resolver<int>>();
        var (first, r0) = Promise.Create<int>();
        var q = first;
        for (int i = 0; i < 200_000; i++)
        {
            var (next, rn) = Promise.Create<int>();
            resolvers.Add(rn);
            var captured = next;
            q.OnSuccess(v => rn.Resolve(v + 1));
            q = captured;
        }

        r0.Resolve(0);
        Assert.Equal(200_000, q.Result);
    });

    [Fact]
    public void Order_below_budget_is_exactly_nested() => TestLoop.Run(() =>
    {
        var (p, r) = Promise.Create<int>();
        var log = new List<int>();
        var q = p;
        for (int i = 0; i < 50; i++)
        {
            int k = i;
            q = q.Map(x =>
            {
                log.Add(k);
                return x;
            });
            p.OnSuccess(_ => log.Add(-1));
        }

        r.Resolve(0);
        // p's own callbacks run LIFO: the 50 OnSuccess (registered after each map) interleave with the first map.
        Assert.Equal(101 - 1, log.Count);
        Assert.Equal(Enumerable.Range(0, 50), log.Where(x => x >= 0));
    });

    [Fact]
    public void Deep_chain_of_cancels_completes() => TestLoop.Run(() =>
    {
        var (p, _) = Promise.CreateCancelable<int>();
        var q = p;
        for (int i = 0; i < 500_000; i++)
        {
            q = q.Map(x => x);
        }

        q.Cancel();
        Assert.True(q.IsCanceled);
    });

    [Fact]
    public void Trampolined_bind_exception_becomes_rejection() => TestLoop.Run(() =>
    {
        Promise<Unit> Deep(int n) => n == 0
            ? throw new TestException()
            : Promise.Unit.Bind(_ => Deep(n - 1));
        var p = Deep(5_000);
        Assert.IsType<TestException>(p.Error);
    });
}
