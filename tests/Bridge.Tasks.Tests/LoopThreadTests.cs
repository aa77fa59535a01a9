using Bridge.Runtimes;

namespace Bridge.Tasks.Tests;

public class LoopThreadTests
{
    [Fact]
    public async Task Run_executes_on_the_dedicated_thread_and_returns_results()
    {
        await using var thread = new LoopThread(new EventLoopOptions { Name = "worker" });
        Assert.Equal("worker", thread.Loop.Name);
        int loopThread = await thread.Run(() => Environment.CurrentManagedThreadId);
        Assert.NotEqual(Environment.CurrentManagedThreadId, loopThread);

        int viaAsync = await thread.Run(async () =>
        {
            await Task.Yield();
            return Environment.CurrentManagedThreadId;
        });
        Assert.Equal(loopThread, viaAsync);

        int viaTask = -1;
        await thread.Run(async () =>
        {
            await Task.Yield();
            viaTask = Environment.CurrentManagedThreadId;
        });
        Assert.Equal(loopThread, viaTask);

        int viaAction = -1;
        await thread.Run(() => { viaAction = Environment.CurrentManagedThreadId; });
        Assert.Equal(loopThread, viaAction);

        int viaFactory = await thread.Factory.StartNew(() => Environment.CurrentManagedThreadId);
        Assert.Equal(loopThread, viaFactory);
        Assert.Same(thread.Scheduler, thread.Factory.Scheduler);
    }

    [Fact]
    public async Task Run_surfaces_exceptions_and_the_thread_keeps_running()
    {
        await using var thread = new LoopThread();
        await Assert.ThrowsAsync<FormatException>(() => thread.Run(() => throw new FormatException()));
        await Assert.ThrowsAsync<FormatException>(() => thread.Run(async () =>
        {
            await Task.Yield();
            throw new FormatException();
        }));
        Assert.Equal(1, await thread.Run(() => Task.FromResult(1)));
    }

    [Fact]
    public void Dispose_lets_queued_work_finish_and_joins_the_thread()
    {
        var thread = new LoopThread();
        int count = 0;
        for (int i = 0; i < 10_000; i++)
        {
            thread.Loop.Post(_ => count++, null);
        }

        var background = thread.Run(async () =>
        {
            await Task.Yield();
            Fire();
        });
        background.GetAwaiter().GetResult();
        thread.Dispose();
        Assert.Equal(10_001, count);
        Assert.Throws<InvalidOperationException>(() => thread.Loop.Post(_ => { }, null));
        thread.Dispose(); // idempotent

        async void Fire()
        {
            await Task.Yield();
            await Task.Yield();
            count++;
        }
    }

    [Fact]
    public async Task DisposeAsync_completes_after_the_loop_ends()
    {
        var thread = new LoopThread();
        bool ran = false;
        thread.Loop.Post(_ => ran = true, null);
        await thread.DisposeAsync();
        Assert.True(ran);
        Assert.Throws<InvalidOperationException>(() => thread.Loop.Post(_ => { }, null));
    }

    [Fact]
    public async Task Dispose_from_the_loop_thread_throws()
    {
        await using var thread = new LoopThread();
        var e = await thread.Run(() => Record.Exception(thread.Dispose));
        Assert.IsType<InvalidOperationException>(e);
    }

    [Fact]
    public async Task An_idle_loop_thread_is_not_a_deadlock()
    {
        await using var thread = new LoopThread(new EventLoopOptions { VirtualTime = true, Name = "idle" });
        var loop = thread.Loop;
        SpinWait.SpinUntil(() => loop.IsWaitingForWork);
        Assert.Equal(2, await thread.Run(() => 2));
    }

    [Fact]
    public async Task Exception_from_a_raw_post_does_not_kill_the_thread_and_surfaces_at_dispose()
    {
        var thread = new LoopThread();
        thread.Loop.Post(_ => throw new FormatException("raw post"), null);
        Assert.Equal(3, await thread.Run(() => 3));
        var e = await Assert.ThrowsAsync<FormatException>(async () => await thread.DisposeAsync());
        Assert.Equal("raw post", e.Message);
    }

    [Fact]
    public void Run_rejects_null()
    {
        using var thread = new LoopThread();
        Assert.Equal("action", Catch(() => _ = thread.Run((Func<Task>)null!)).ParamName);
        Assert.Equal("action", Catch(() => _ = thread.Run((Func<Task<int>>)null!)).ParamName);
        Assert.Equal("action", Catch(() => _ = thread.Run((Action)null!)).ParamName);
        Assert.Equal("func", Catch(() => _ = thread.Run((Func<int>)null!)).ParamName);

        static ArgumentNullException Catch(Action call) => Assert.Throws<ArgumentNullException>(call);
    }
}

public class LoopThreadVirtualTimeTests
{
    [Fact]
    public async Task Virtual_time_advances_on_an_idle_loop_thread()
    {
        await using var thread = new LoopThread(new EventLoopOptions { VirtualTime = true, Name = "virtual worker" });
        var elapsed = await thread.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromHours(1), thread.Loop.Time);
            return thread.Loop.Elapsed;
        });
        Assert.Equal(TimeSpan.FromHours(1), elapsed);
    }

    [Fact]
    public async Task SwitchTo_a_disposed_loop_fails_the_awaiting_method_instead_of_crashing()
    {
        var thread = new LoopThread();
        var loop = thread.Loop;
        await thread.DisposeAsync();
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => Task.Run(async () => await loop.SwitchTo()));
        Assert.Contains("disposed", e.Message);
    }
}

public class LoopThreadCallerSideTests
{
    [Fact]
    public async Task Continuations_of_Run_tasks_run_on_the_callers_side_not_on_the_loop_thread()
    {
        await using var thread = new LoopThread();
        int loopThread = await thread.Run(() => Environment.CurrentManagedThreadId);
        // A caller without a synchronization context (thread pool): its continuation must not be inlined on the loop.
        var (afterSync, afterAsync, afterAction) = await Task.Run(async () =>
        {
            await thread.Run(() => 1);
            int a = Environment.CurrentManagedThreadId;
            await thread.Run(async () => await Task.Yield());
            int b = Environment.CurrentManagedThreadId;
            await thread.Run(() => { });
            return (a, b, Environment.CurrentManagedThreadId);
        });
        Assert.NotEqual(loopThread, afterSync);
        Assert.NotEqual(loopThread, afterAsync);
        Assert.NotEqual(loopThread, afterAction);
    }

    [Fact]
    public async Task Run_keeps_cancellation_and_exceptions()
    {
        await using var thread = new LoopThread();
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var cancelled = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => thread.Run(async () =>
        {
            await Task.Yield();
            cts.Token.ThrowIfCancellationRequested();
        }));
        Assert.Equal(cts.Token, cancelled.CancellationToken);
        var failed = await Assert.ThrowsAsync<FormatException>(() => thread.Run(Fail));
        Assert.Equal("sync", failed.Message);

        static int Fail() => throw new FormatException("sync");
    }
}
