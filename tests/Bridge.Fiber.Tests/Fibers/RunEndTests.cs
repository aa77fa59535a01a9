using Bridge.Fiber.Tests.Support;
using Bridge.Fibers;
using Bridge.Runtimes;
using static Bridge.Fibers.Trace;
using F = Bridge.Fibers.Fiber;

namespace Bridge.Fiber.Tests.FiberTests;

/// <summary>
/// The edges of a run: work that outlives it, errors that end it, and the last fibers of a switch. None of them may end
/// the process, hang, or put another error in place of the real one.
/// </summary>
public class RunEndTests
{
    [Fact]
    public void A_task_started_from_a_fiber_that_finishes_after_the_run_continues_on_the_thread_pool()
    {
        // Its continuation was posted to the fiber's closed loop, which threw on the completing thread and ended the
        // process. It now runs on the thread pool, outside any fiber.
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var after = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);

        async Task NeverAwaited()
        {
            await gate.Task; // captures the fiber as its context
            after.SetResult(F.IsInFiber);
        }

        Bounded.Run(() => F.Run(env =>
        {
            _ = NeverAwaited();
            return ValueTask.CompletedTask;
        }));
        gate.SetResult();
        Assert.True(after.Task.Wait(TimeSpan.FromSeconds(30)), "the late continuation never ran");
        Assert.False(after.Task.Result);
    }

    [Fact]
    public void The_error_that_ends_a_run_is_reported_not_the_work_it_left_queued()
    {
        // An async void method's exception ends the run while other work is still queued; closing the loop used to
        // report "work item(s) were still queued" instead of the exception itself.
        static async void Boom()
        {
            await Task.CompletedTask;
            throw new TestFailure("boom");
        }

        var e = Assert.Throws<TestFailure>(() => F.RunMock(async _ =>
        {
            Boom();
            for (int i = 0; i < 50; i++)
            {
                await F.Yield();
            }
        }));
        Assert.Equal("boom", e.Message);
    }

    [Fact]
    public void A_failing_cancellation_callback_does_not_let_a_switch_finish_before_its_daemons()
    {
        // When the last non-daemon fiber finished, cancelling the daemons ran the switch's CancellationToken callbacks;
        // a throwing one escaped, and Switch.Run returned while a daemon was still cleaning up.
        var trace = TraceRun.Mock(async _ =>
        {
            try
            {
                await Switch.Run(async sw =>
                {
                    sw.CancellationToken.Register(static () => throw new TestFailure("callback"));
                    F.ForkDaemon(sw, async () =>
                    {
                        try
                        {
                            await F.AwaitCancel();
                        }
                        finally
                        {
                            await Cancel.Protect(async () =>
                            {
                                await Time.Sleep(TimeSpan.FromSeconds(1));
                                Line("daemon cleanup done");
                            });
                        }
                    });
                    await F.Yield();
                });
            }
            catch (Exception e)
            {
                Line($"switch failed: {e.GetType().Name}");
            }

            Line("after switch");
        });
        Assert.Equal(["mock time is now 1", "daemon cleanup done", "switch failed: AggregateException", "after switch"], trace);
    }

    [Fact]
    public void A_resolve_from_another_thread_skips_a_waiter_whose_run_has_ended_and_wakes_the_others()
    {
        // Resuming a fiber whose loop had closed threw out of Resolve, and the waiters after it were never woken.
        var (promise, resolver) = FiberPromise.Create<int>("shared");
        Assert.Throws<DeadlockException>(() => F.RunMock(async _ => await promise)); // leaves its fiber in the queue
        using var waiting = new ManualResetEventSlim();
        var run = Task.Run(() => F.Run(async _ =>
        {
            using var external = EventLoop.Current!.TrackExternalOperation(); // the resolve comes from another thread
            var value = promise.AsValueTask();
            waiting.Set();
            return await value;
        }));
        Assert.True(waiting.Wait(TimeSpan.FromSeconds(30)));
        resolver.Resolve(7);
        Assert.True(run.Wait(TimeSpan.FromSeconds(30)), "the live waiter was never woken");
        Assert.Equal(7, run.Result);
    }

    [Fact]
    public void A_body_that_is_a_plain_task_completing_on_another_thread_is_not_an_escape()
    {
        // () => new ValueTask(task) runs no fiber code when the task completes; it was reported as "finished off its
        // loop" when that happened on another thread. An async body that escapes is still reported (RuntimeTests).
        var trace = Bounded.Run(() => TraceRun.Mock(async env =>
        {
            var forked = new TaskCompletionSource();
            var both = new TaskCompletionSource();
            using (EventLoop.Current!.TrackExternalOperation())
            {
                await Switch.Run(sw =>
                {
                    F.Fork(sw, () => new ValueTask(forked.Task));
                    _ = Task.Run(forked.SetResult);
                    return ValueTask.CompletedTask;
                });
                Line("fork: finished");
                await F.Both(() => new ValueTask(both.Task), () =>
                {
                    _ = Task.Run(both.SetResult); // after the first branch has started and is waiting
                    return ValueTask.CompletedTask;
                });
                Line("both: finished");
            }
        }));
        Assert.Equal(["fork: finished", "both: finished"], trace);
    }

    private sealed class TestFailure(string message) : Exception(message);
}
