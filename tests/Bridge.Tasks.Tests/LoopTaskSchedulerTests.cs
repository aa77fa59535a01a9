using System.Reflection;
using Bridge.Runtimes;

namespace Bridge.Tasks.Tests;

public class LoopTaskSchedulerTests
{
    [Fact]
    public void StartNew_and_ContinueWith_run_only_on_the_loop_thread_in_order()
    {
        using var thread = new LoopThread();
        var scheduler = thread.Scheduler;
        Assert.Equal(1, scheduler.MaximumConcurrencyLevel);
        int loopThread = thread.Run(() => Environment.CurrentManagedThreadId).GetAwaiter().GetResult();

        var trace = new List<(int Index, int Thread)>();
        var tasks = new List<Task>();
        for (int i = 0; i < 100; i++)
        {
            int index = i;
            tasks.Add(Task.Factory.StartNew(() => trace.Add((index, Environment.CurrentManagedThreadId)), CancellationToken.None, TaskCreationOptions.None, scheduler));
        }

        var chain = tasks[^1]
            .ContinueWith(_ => trace.Add((100, Environment.CurrentManagedThreadId)), scheduler)
            .ContinueWith(_ => trace.Add((101, Environment.CurrentManagedThreadId)), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, scheduler);
        new TaskFactory(scheduler).StartNew(() => trace.Add((102, Environment.CurrentManagedThreadId))).GetAwaiter().GetResult();
        chain.GetAwaiter().GetResult();
        Task.WaitAll([.. tasks]);

        Assert.Equal(Enumerable.Range(0, 103), trace.Select(t => t.Index).Order());
        Assert.Equal(Enumerable.Range(0, 100), trace.Select(t => t.Index).Where(i => i < 100));
        Assert.All(trace, t => Assert.Equal(loopThread, t.Thread));
    }

    [Fact]
    public void Inlining_happens_only_on_the_loop_thread()
    {
        var trace = new List<string>();
        TaskLoop.Run(() =>
        {
            var scheduler = (LoopTaskScheduler)TaskScheduler.Current;
            var task = new Task(() => trace.Add("inlined"));
            task.RunSynchronously(scheduler);
            trace.Add("after");

            int inlinedElsewhere = -1;
            var offLoop = new Task(() => inlinedElsewhere = Environment.CurrentManagedThreadId);
            var other = new Thread(() => offLoop.Start(scheduler));
            other.Start();
            other.Join();
            TaskLoop.Join(offLoop);
            Assert.Equal(Environment.CurrentManagedThreadId, inlinedElsewhere);
        }, Virtual.Options());
        Assert.Equal(["inlined", "after"], trace);
    }

    [Fact]
    public void GetScheduledTasks_lists_queued_tasks_until_they_run()
    {
        using var loop = new EventLoop(Virtual.Options());
        var scheduler = new LoopTaskScheduler(loop);
        var getScheduled = typeof(TaskScheduler).GetMethod("GetScheduledTasks", BindingFlags.Instance | BindingFlags.NonPublic)!;
        var a = Task.Factory.StartNew(() => { }, CancellationToken.None, TaskCreationOptions.None, scheduler);
        var b = Task.Factory.StartNew(() => { }, CancellationToken.None, TaskCreationOptions.None, scheduler);
        var listed = ((IEnumerable<Task>)getScheduled.Invoke(scheduler, null)!).ToList();
        Assert.Equal(2, listed.Count);
        Assert.Contains(a, listed);
        Assert.Contains(b, listed);
        loop.RunUntil(() => a.IsCompleted && b.IsCompleted);
        Assert.Empty((IEnumerable<Task>)getScheduled.Invoke(scheduler, null)!);
    }

    [Fact]
    public void Cancelled_before_running_is_harmless()
    {
        using var loop = new EventLoop(Virtual.Options());
        var scheduler = new LoopTaskScheduler(loop);
        using var cts = new CancellationTokenSource();
        bool ran = false;
        var task = Task.Factory.StartNew(() => ran = true, cts.Token, TaskCreationOptions.None, scheduler);
        cts.Cancel();
        loop.RunUntil(() => !loop.HasQueuedWork);
        Assert.True(task.IsCanceled);
        Assert.False(ran);
    }

    [Fact]
    public void Constructor_rejects_null()
    {
        Assert.Equal("loop", Assert.Throws<ArgumentNullException>(() => new LoopTaskScheduler(null!)).ParamName);
    }
}
