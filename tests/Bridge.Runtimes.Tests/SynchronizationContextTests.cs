using Bridge.Runtimes;

namespace Bridge.Runtimes.Tests;

public class SynchronizationContextTests
{
    [Fact]
    public void Post_from_the_loop_thread_queues_and_never_runs_inline()
    {
        using var loop = TestLoops.Virtual();
        var trace = new List<string>();
        loop.RunOn(() =>
        {
            SynchronizationContext.Current!.Post(_ => trace.Add("posted"), null);
            trace.Add("after post");
        }, () => trace.Count == 2);
        Assert.Equal(["after post", "posted"], trace);
    }

    [Fact]
    public void Post_from_another_thread_runs_on_the_loop_thread()
    {
        using var loop = TestLoops.Virtual();
        int loopThread = Environment.CurrentManagedThreadId;
        int ranOn = -1;
        object? seenState = null;
        var state = new object();
        TestLoops.OnOtherThread(() => loop.SynchronizationContext.Post(s =>
        {
            ranOn = Environment.CurrentManagedThreadId;
            seenState = s;
        }, state));
        loop.RunUntil(() => ranOn != -1);
        Assert.Equal(loopThread, ranOn);
        Assert.Same(state, seenState);
    }

    [Fact]
    public void Send_on_the_loop_thread_runs_inline()
    {
        using var loop = TestLoops.Virtual();
        var trace = new List<string>();
        loop.RunOn(() =>
        {
            SynchronizationContext.Current!.Send(_ => trace.Add("sent"), null);
            trace.Add("after send");
        }, () => trace.Count == 2);
        Assert.Equal(["sent", "after send"], trace);
    }

    [Fact]
    public void Send_from_another_thread_blocks_until_the_loop_ran_it_and_rethrows()
    {
        using var loop = TestLoops.Virtual();
        using var operation = loop.TrackExternalOperation();
        int loopThread = Environment.CurrentManagedThreadId;
        int ranOn = -1;
        bool sawRun = false;
        Exception? rethrown = null;
        bool finished = false;
        var sender = new Thread(() =>
        {
            loop.SynchronizationContext.Send(_ => ranOn = Environment.CurrentManagedThreadId, null);
            sawRun = ranOn == loopThread;
            rethrown = Record.Exception(() => loop.SynchronizationContext.Send(_ => throw new FormatException("in send"), null));
            loop.Post(_ => finished = true, null);
        });
        sender.Start();
        loop.RunUntil(() => finished);
        sender.Join();
        Assert.True(sawRun);
        Assert.Equal("in send", Assert.IsType<FormatException>(rethrown).Message);
    }

    [Fact]
    public void OperationStarted_and_Completed_count_outstanding_work()
    {
        using var loop = TestLoops.Virtual();
        var context = loop.SynchronizationContext;
        Assert.Equal(0, context.OutstandingOperations);
        context.OperationStarted();
        context.OperationStarted();
        Assert.Equal(2, context.OutstandingOperations);
        context.OperationCompleted();
        Assert.Equal(1, context.OutstandingOperations);
        context.OperationCompleted();
        Assert.Equal(0, context.OutstandingOperations);
    }

    [Fact]
    public void Async_void_on_the_loop_is_counted_until_it_completes()
    {
        using var loop = TestLoops.Virtual();
        var context = loop.SynchronizationContext;
        int duringRun = -1;
        bool finished = false;
        loop.RunOn(() =>
        {
            Fire();
            duringRun = context.OutstandingOperations;
        }, () => finished && context.OutstandingOperations == 0);
        Assert.Equal(1, duringRun);
        Assert.Equal(TimeSpan.FromSeconds(1), loop.Elapsed);

        async void Fire()
        {
            await Task.Delay(TimeSpan.FromSeconds(1), loop.Time);
            finished = true;
        }
    }

    [Fact]
    public void CreateCopy_is_bound_to_the_same_loop()
    {
        using var loop = TestLoops.Virtual();
        var copy = loop.SynchronizationContext.CreateCopy();
        var typed = Assert.IsType<LoopSynchronizationContext>(copy);
        Assert.Same(loop, typed.Loop);
        Assert.Same(loop.SynchronizationContext, copy);
        bool ran = false;
        copy.Post(_ => ran = true, null);
        loop.RunUntil(() => ran);
    }

    [Fact]
    public void Post_and_Send_reject_null()
    {
        using var loop = TestLoops.Virtual();
        Assert.Throws<ArgumentNullException>(() => loop.SynchronizationContext.Post(null!, null));
        Assert.Throws<ArgumentNullException>(() => loop.SynchronizationContext.Send(null!, null));
    }

    [Fact]
    public void Await_inside_the_loop_resumes_on_the_loop_thread()
    {
        using var loop = TestLoops.Virtual();
        int loopThread = Environment.CurrentManagedThreadId;
        var threads = new List<int>();
        var task = loop.RunTask(async () =>
        {
            for (int i = 0; i < 5; i++)
            {
                await Task.Yield();
                threads.Add(Environment.CurrentManagedThreadId);
            }
        });
        task.GetAwaiter().GetResult();
        Assert.All(threads, t => Assert.Equal(loopThread, t));
    }
}

public class SendAfterCloseTests
{
    [Fact]
    public void Send_waiting_on_a_loop_that_is_disposed_before_running_it_throws_instead_of_hanging()
    {
        var reports = new List<Exception>();
        var loop = TestLoops.Virtual("closing", unhandled: reports.Add);
        Exception? error = null;
        var sender = new Thread(() => error = Record.Exception(() => loop.SynchronizationContext.Send(_ => { }, null)));
        sender.Start();
        SpinWait.SpinUntil(() => loop.HasQueuedWork);
        loop.Dispose();
        sender.Join();
        var e = Assert.IsType<InvalidOperationException>(error);
        Assert.Contains("'closing'", e.Message);
        Assert.Single(reports); // Dispose reported the unrun item too
    }
}

public class InlinePolicyTests
{
    [Fact]
    public void Completing_a_task_on_the_loop_resumes_its_awaiter_inline_unless_continuations_run_asynchronously()
    {
        using var loop = TestLoops.Virtual();
        var trace = new List<string>();
        var inline = new TaskCompletionSource();
        var queued = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        async Task Waiter(string name, Task task)
        {
            await task;
            trace.Add($"{name} resumed");
        }

        var task = loop.RunTask(async () =>
        {
            var a = Waiter("inline", inline.Task);
            var b = Waiter("queued", queued.Task);
            await Task.Yield();
            trace.Add("before");
            inline.SetResult();
            queued.SetResult();
            trace.Add("after");
            await Task.WhenAll(a, b);
        });

        task.GetAwaiter().GetResult();
        // The runtime inlines a continuation whose captured context is the current one (Lwt.wakeup's behaviour);
        // RunContinuationsAsynchronously sends it through the loop's queue instead (Eio's Promise.resolve).
        Assert.Equal(["before", "inline resumed", "after", "queued resumed"], trace);
    }
}
