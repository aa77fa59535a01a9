using Bridge.Runtimes;

namespace Bridge.Tasks.Tests;

public class JoinTests
{
    [Fact]
    public void Join_on_the_loop_thread_pumps_work_that_needs_the_loop()
    {
        var trace = new List<string>();
        int result = TaskLoop.Run(() =>
        {
            // Under Task.Wait this deadlocks: the task needs this very thread.
            var needsLoop = Task.Factory.StartNew(() => 6 * 7, CancellationToken.None, TaskCreationOptions.None, TaskScheduler.Current);
            int a = TaskLoop.Join(needsLoop);
            trace.Add("joined StartNew");

            async Task<int> NeedsLoopAsync()
            {
                await Task.Yield();
                await Task.Delay(TimeSpan.FromMinutes(1), Virtual.Clock);
                return 1;
            }

            int b = TaskLoop.Join(NeedsLoopAsync());
            trace.Add("joined async");
            return Task.FromResult(a + b);
        }, Virtual.Options());
        Assert.Equal(43, result);
        Assert.Equal(["joined StartNew", "joined async"], trace);
    }

    [Fact]
    public void Join_of_a_non_generic_task_and_of_a_completed_task()
    {
        TaskLoop.Run(() =>
        {
            bool ran = false;
            TaskLoop.Join(Task.Factory.StartNew(() => ran = true, CancellationToken.None, TaskCreationOptions.None, TaskScheduler.Current));
            Assert.True(ran);
            TaskLoop.Join(Task.CompletedTask);
            Assert.Equal(3, TaskLoop.Join(Task.FromResult(3)));
        }, Virtual.Options());
    }

    [Fact]
    public void Join_rethrows_unwrapped()
    {
        TaskLoop.Run(() =>
        {
            async Task Fail()
            {
                await Task.Yield();
                throw new FormatException("joined failure");
            }

            var e = Assert.Throws<FormatException>(() => TaskLoop.Join(Fail()));
            Assert.Equal("joined failure", e.Message);
        }, Virtual.Options());
    }

    [Fact]
    public void Join_throws_DeadlockException_for_a_task_that_can_never_complete()
    {
        var never = new TaskCompletionSource<int>();
        DeadlockException? caught = null;
        TaskLoop.Run(() =>
        {
            caught = Assert.Throws<DeadlockException>(() => TaskLoop.Join(never.Task));
        }, Virtual.Options());
        Assert.Contains($"TaskLoop.Join is waiting for task #{never.Task.Id}", caught!.Message);
    }

    [Fact]
    public void Join_off_the_loop_thread_is_a_plain_wait()
    {
        Assert.Equal(5, TaskLoop.Join(Task.Run(() => 5)));
        TaskLoop.Join(Task.Run(() => { }));
        Assert.Throws<FormatException>(() => TaskLoop.Join(Task.Run(() => throw new FormatException())));
    }

    [Fact]
    public void Join_on_the_loop_of_work_completed_by_the_thread_pool_returns()
    {
        foreach (var mode in new[] { DeadlockDetectionMode.WhenProcessQuiet, DeadlockDetectionMode.Disabled })
        {
            int value = TaskLoop.Run(() =>
            {
                var release = new ManualResetEventSlim();
                var loop = EventLoop.Current!;
                var work = Task.Run(() =>
                {
                    release.Wait();
                    return 9;
                });
                var watcher = new Thread(() =>
                {
                    SpinWait.SpinUntil(() => loop.IsWaitingForWork);
                    release.Set();
                });
                watcher.Start();
                int result = TaskLoop.Join(work);
                watcher.Join();
                return Task.FromResult(result);
            }, new EventLoopOptions { DeadlockDetection = mode });
            Assert.Equal(9, value);
        }
    }

    [Fact]
    public void Join_rejects_null()
    {
        Assert.Throws<ArgumentNullException>(() => TaskLoop.Join(null!));
        Assert.Throws<ArgumentNullException>(() => TaskLoop.Join((Task<int>)null!));
    }
}
