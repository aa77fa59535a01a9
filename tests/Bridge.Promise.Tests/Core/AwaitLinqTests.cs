using Bridge.Runtimes;

namespace PromiseTests.Core;

public class AwaitLinqTests
{
    private static async Task<int> AwaitTwice(Promise<int> a, Promise<int> b) => await a + await b;

    [Fact]
    public void Await_resolved_promise_completes_synchronously() => TestLoop.Run(() =>
    {
        var t = AwaitTwice(Promise.FromResult(1), Promise.FromResult(2));
        Assert.True(t.IsCompleted);
        Assert.Equal(3, t.Result);
    });

    [Fact]
    public void Await_continuation_is_queued_not_run_inside_resolve() => TestLoop.Run(() =>
    {
        var (p, r) = Promise.Create<int>();
        var log = new Log();
        async Task Body()
        {
            var v = await p;
            log.Add("continued " + v);
        }

        var t = Body();
        r.Resolve(5);
        log.Add("after resolve");
        var (done, rd) = Promise.Create<Unit>();
        t.ContinueWith(_ => rd.Resolve(default), TaskScheduler.FromCurrentSynchronizationContext());
        return done.Map(_ =>
        {
            Assert.Equal("after resolve,continued 5", log.ToString());
            return 0;
        });
    });

    [Fact]
    public void Await_rejected_throws_original_exception() => TestLoop.Run(() =>
    {
        var (p, r) = Promise.Create<int>();
        var e = new TestException();
        Exception? caught = null;
        async Task Body()
        {
            try
            {
                await p;
            }
            catch (Exception x)
            {
                caught = x;
            }
        }

        _ = Body();
        r.Reject(e);
        return Promise.Pause().Bind(_ => Promise.Pause()).Map(_ =>
        {
            Assert.Same(e, caught);
            return 0;
        });
    });

    [Fact]
    public void Await_resumes_on_loop_thread() => TestLoop.Run(() =>
    {
        var loopThread = Environment.CurrentManagedThreadId;
        int? resumedOn = null;
        async Task Body()
        {
            await Promise.Sleep(TimeSpan.FromSeconds(1));
            resumedOn = Environment.CurrentManagedThreadId;
        }

        _ = Body();
        return Promise.Sleep(TimeSpan.FromSeconds(2)).Map(_ =>
        {
            Assert.Equal(loopThread, resumedOn);
            return 0;
        });
    });

    [Fact]
    public void Awaiter_GetResult_on_pending_throws() => TestLoop.Run(() =>
    {
        var (p, _) = Promise.Create<int>();
        Assert.False(p.GetAwaiter().IsCompleted);
        Assert.Throws<InvalidOperationException>(() => p.GetAwaiter().GetResult());
        Assert.Throws<ArgumentNullException>(() => p.GetAwaiter().OnCompleted(null!));
    });

    [Fact]
    public void Await_off_loop_falls_back_to_thread_pool()
    {
        var (p, r) = Promise.Create<int>();
        var result = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);

        // Register from a thread-pool thread (no loop there), and only then resolve, so the fallback path is the one taken.
        Task.Run(() =>
        {
            var awaiter = p.GetAwaiter();
            awaiter.OnCompleted(() => result.SetResult(awaiter.GetResult()));
        }).GetAwaiter().GetResult();
        var loop = TestLoop.NewLoop();
        Promise.Run(loop, () =>
        {
            r.Resolve(8);
            return Promise.Unit;
        });
        Assert.True(result.Task.Wait(TimeSpan.FromSeconds(30)), "the continuation registered off the loop never ran");
        Assert.Equal(8, result.Task.Result);
    }

    [Fact]
    public void Linq_select() => TestLoop.Run(() =>
    {
        var q = from x in Promise.FromResult(2) select x * 10;
        Assert.Equal(20, q.Result);
    });

    [Fact]
    public void Linq_select_many_two_froms() => TestLoop.Run(() =>
    {
        var (a, ra) = Promise.Create<int>();
        var (b, rb) = Promise.Create<int>();
        var q = from x in a from y in b select x + y;
        ra.Resolve(1);
        Assert.True(q.IsPending);
        rb.Resolve(2);
        Assert.Equal(3, q.Result);
    });

    [Fact]
    public void Linq_select_many_without_result_selector() => TestLoop.Run(() =>
    {
        var q = Promise.FromResult(3).SelectMany(x => Promise.FromResult(x.ToString()));
        Assert.Equal("3", q.Result);
    });

    [Fact]
    public void Linq_three_froms_and_rejection() => TestLoop.Run(() =>
    {
        var q = from x in Promise.FromResult(1)
                from y in Promise.FromException<int>(new TestException())
                from z in Promise.FromResult(3)
                select x + y + z;
        Assert.IsType<TestException>(q.Error);
    });

    [Fact]
    public void Linq_null_arguments() => TestLoop.Run(() =>
    {
        Assert.Throws<ArgumentNullException>(() => PromiseQueryExtensions.Select<int, int>(null!, x => x));
        Assert.Throws<ArgumentNullException>(() => PromiseQueryExtensions.SelectMany<int, int>(null!, Promise.FromResult));
        Assert.Throws<ArgumentNullException>(() => PromiseQueryExtensions.SelectMany<int, int, int>(Promise.FromResult(1), null!, (a, b) => a));
        Assert.Throws<ArgumentNullException>(() => PromiseQueryExtensions.SelectMany<int, int, int>(Promise.FromResult(1), Promise.FromResult, null!));
    });
}
