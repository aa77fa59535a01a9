using Bridge.Runtimes;

namespace Bridge.Runtimes.Tests;

public class DeadlockTests
{
    [Fact]
    public void Empty_loop_that_is_not_done_reports_a_deadlock_naming_the_waiters()
    {
        using var loop = TestLoops.Virtual("stuck");
        using var describer = loop.AddDeadlockDescriber(() => ["fiber 'reader' waits on stream 'input'"]);
        var e = Assert.Throws<DeadlockException>(() => loop.RunUntil(() => false));
        Assert.Contains("'stuck'", e.Message);
        Assert.Contains("fiber 'reader' waits on stream 'input'", e.Message);
        Assert.Equal(["fiber 'reader' waits on stream 'input'"], e.Waiting);
        Assert.IsAssignableFrom<InvalidOperationException>(e);
    }

    [Fact]
    public void Never_completed_TaskCompletionSource_is_a_deadlock()
    {
        using var loop = TestLoops.Virtual();
        var never = new TaskCompletionSource();
        Task? main = null;
        using var describer = loop.AddDeadlockDescriber(() => main is { IsCompleted: false } ? ["the main task"] : []);
        loop.Enqueue(_ => main = Wait(), null);
        var e = Assert.Throws<DeadlockException>(() => loop.RunUntil(() => main is { IsCompleted: true }));
        Assert.Contains("the main task", e.Message);

        async Task Wait() => await never.Task;
    }

    [Fact]
    public void Removed_describer_is_not_consulted_and_a_failing_one_is_reported()
    {
        using var loop = TestLoops.Virtual();
        loop.AddDeadlockDescriber(() => ["removed"]).Dispose();
        using var failing = loop.AddDeadlockDescriber(() => throw new FormatException("boom"));
        var e = Assert.Throws<DeadlockException>(() => loop.RunUntil(() => false));
        Assert.DoesNotContain("removed", e.Message);
        Assert.Contains("FormatException: boom", e.Message);
    }

    [Fact]
    public void No_deadlock_while_an_external_operation_is_tracked()
    {
        using var loop = TestLoops.Virtual();
        var operation = loop.TrackExternalOperation();
        bool done = false;
        var worker = new Thread(() =>
        {
            SpinWait.SpinUntil(() => loop.IsWaitingForWork);
            loop.Post(_ => done = true, null);
            operation.Dispose();
            operation.Dispose(); // idempotent
        });
        worker.Start();
        loop.RunUntil(() => done);
        worker.Join();
        Assert.True(done);
    }

    [Fact]
    public void Disposing_the_last_external_operation_without_posting_wakes_the_loop_to_report_a_deadlock()
    {
        using var loop = TestLoops.Virtual();
        var operation = loop.TrackExternalOperation();
        var worker = new Thread(() =>
        {
            SpinWait.SpinUntil(() => loop.IsWaitingForWork);
            operation.Dispose();
        });
        worker.Start();
        Assert.Throws<DeadlockException>(() => loop.RunUntil(() => false));
        worker.Join();
    }

    [Fact]
    public void No_deadlock_while_a_timer_is_pending()
    {
        using var loop = TestLoops.Virtual();
        bool fired = false;
        loop.StartTimer(TimeSpan.FromDays(3), _ => fired = true, null);
        loop.RunUntil(() => fired);
        Assert.Equal(TimeSpan.FromDays(3), loop.Elapsed);
    }

    [Fact]
    public void No_deadlock_while_a_real_time_timer_is_pending_in_strict_mode()
    {
        using var loop = new EventLoop(new EventLoopOptions { DeadlockDetection = DeadlockDetectionMode.Strict });
        bool fired = false;
        loop.StartTimer(TimeSpan.FromTicks(1), _ => fired = true, null);
        loop.RunUntil(() => fired);
        Assert.True(fired);
    }

    [Fact]
    public void Disabled_detection_waits_for_a_post()
    {
        using var loop = new EventLoop(new EventLoopOptions { VirtualTime = true, DeadlockDetection = DeadlockDetectionMode.Disabled });
        bool done = false;
        var poster = new Thread(() =>
        {
            SpinWait.SpinUntil(() => loop.IsWaitingForWork);
            loop.Post(_ => done = true, null);
        });
        poster.Start();
        loop.RunUntil(() => done);
        poster.Join();
    }

    [Fact]
    public void Loop_stays_usable_after_a_deadlock_report()
    {
        using var loop = TestLoops.Virtual();
        Assert.Throws<DeadlockException>(() => loop.RunUntil(() => false));
        bool ran = false;
        loop.Enqueue(_ => ran = true, null);
        loop.RunUntil(() => ran);
        Assert.False(loop.IsRunning);
    }
}
