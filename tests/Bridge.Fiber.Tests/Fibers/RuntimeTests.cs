using Bridge.Fiber.Tests.Support;
using Bridge.Fibers;
using Bridge.Runtimes;
using static Bridge.Fibers.Trace;
using F = Bridge.Fibers.Fiber;

namespace Bridge.Fiber.Tests.FiberTests;

/// <summary>The runner: deadlocks, nesting, use outside fibers, fibers that escape their loop.</summary>
public class RuntimeTests
{
    [Fact]
    public void RunMock_reports_a_deadlock_naming_the_stuck_fibers()
    {
        var e = Assert.Throws<DeadlockException>(() => F.RunMock(async _ =>
        {
            var (p, _) = FiberPromise.Create<int>("never resolved");
            await Switch.Run(sw =>
            {
                F.Fork(sw, async () => await p);
                F.Fork(sw, async () => await p);
                return ValueTask.CompletedTask;
            });
        }));
        Assert.Contains("fiber #1 'main'", e.Message, StringComparison.Ordinal);
        Assert.Contains("fiber #2", e.Message, StringComparison.Ordinal);
        Assert.Contains("fiber #3", e.Message, StringComparison.Ordinal);
        Assert.Contains("blocked in a Bridge primitive", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RunMock_returns_mains_result_and_rethrows_mains_exception()
    {
        Assert.Equal(3, F.RunMock(async _ => { await F.Yield(); return 3; }));
        var boom = new Failure("main failed");
        Assert.Same(boom, Assert.Throws<Failure>(() => F.RunMock(async _ => { await F.Yield(); throw boom; })));
    }

    [Fact]
    public void Nested_Run_throws()
    {
        var trace = Eio.Run(_ =>
        {
            var e = Assert.Throws<InvalidOperationException>(() => F.RunMock(_ => ValueTask.CompletedTask));
            Line(e.Message.Contains("cannot be nested", StringComparison.Ordinal) ? "nested RunMock refused" : e.Message);
            e = Assert.Throws<InvalidOperationException>(() => F.Run(_ => ValueTask.CompletedTask));
            Line(e.Message.Contains("cannot be nested", StringComparison.Ordinal) ? "nested Run refused" : e.Message);
            return ValueTask.CompletedTask;
        });
        Assert.Equal(["nested RunMock refused", "nested Run refused"], trace);
    }

    [Fact]
    public void The_fiber_api_outside_a_fiber_throws_InvalidOperationException()
    {
        Assert.False(F.IsInFiber);
        Assert.Throws<InvalidOperationException>(() => F.Yield());
        Assert.Throws<InvalidOperationException>(F.Check);
        Assert.Throws<InvalidOperationException>(() => F.IsCancelled);
        Assert.Throws<InvalidOperationException>(() => Time.Sleep(TimeSpan.FromSeconds(1)));
        Assert.Throws<InvalidOperationException>(() => F.Get(new FiberKey<int>()));
        var e = Assert.Throws<InvalidOperationException>(() => Switch.Run(_ => ValueTask.CompletedTask).GetAwaiter().GetResult());
        Assert.Contains("must be called from a fiber", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_fiber_api_from_another_thread_throws_InvalidOperationException()
    {
        var trace = Bounded.Run(() => Eio.Run(async _ =>
        {
            await Switch.Run(async sw =>
            {
                string message = await Task.Run(() =>
                {
                    try
                    {
                        F.Fork(sw, () => ValueTask.CompletedTask);
                        return "no exception";
                    }
                    catch (InvalidOperationException e)
                    {
                        return e.Message.Contains("must be called from a fiber", StringComparison.Ordinal) ? "refused" : e.Message;
                    }
                }).ConfigureAwait(true);
                Line($"Fork from the thread pool: {message}");
            });
        }));
        Assert.Equal(["Fork from the thread pool: refused"], trace);
    }

    [Fact]
    public void A_fiber_that_escapes_its_loop_fails_its_switch_instead_of_hanging()
    {
        var trace = Bounded.Run(() => Eio.Run(async _ =>
        {
            try
            {
                using var stepEnded = new ManualResetEventSlim();
                await Switch.Run(sw =>
                {
                    F.Fork(sw, async () =>
                    {
                        await EscapeTheLoop(stepEnded).ConfigureAwait(false);
                        Volatile.Write(ref s_escapedBodyRan, true);
                    });
                    stepEnded.Set();
                    return ValueTask.CompletedTask;
                });
                Line("not reached");
            }
            catch (InvalidOperationException e)
            {
                Line(e.Message.Contains("off its loop", StringComparison.Ordinal) && e.Message.Contains("ConfigureAwait(false)", StringComparison.Ordinal)
                    ? "switch failed: fiber finished off its loop"
                    : e.Message);
            }
        }));
        Assert.Equal(["switch failed: fiber finished off its loop"], trace);
        Assert.True(Volatile.Read(ref s_escapedBodyRan));
    }

    [Fact]
    public void An_escaped_fiber_that_then_uses_the_fiber_api_reports_both_problems()
    {
        var trace = Bounded.Run(() => Eio.Run(async _ =>
        {
            try
            {
                using var stepEnded = new ManualResetEventSlim();
                await Switch.Run(sw =>
                {
                    F.Fork(sw, async () =>
                    {
                        await EscapeTheLoop(stepEnded).ConfigureAwait(false);
                        await F.Yield();
                    });
                    stepEnded.Set();
                    return ValueTask.CompletedTask;
                });
            }
            catch (AggregateException e)
            {
                foreach (var inner in e.InnerExceptions)
                {
                    Line(inner.GetType().Name + (inner.Message.Contains("ConfigureAwait(false)", StringComparison.Ordinal) ? " mentioning ConfigureAwait(false)" : ": " + inner.Message));
                }
            }
        }));
        Assert.Equal(
            ["InvalidOperationException mentioning ConfigureAwait(false)", "InvalidOperationException mentioning ConfigureAwait(false)"],
            trace);
    }

    private static bool s_escapedBodyRan;

    [Fact]
    public void A_fiber_that_finishes_off_the_loop_before_its_escape_watch_is_armed_still_fails_its_switch()
    {
        // Regression: when the body completed on a pool thread in the moment between the end-of-step check and the
        // watch's registration, the watch ran inline on the loop thread, took that for a normal finish and did nothing:
        // the switch waited for a finished fiber and the loop slept for good. Here that moment is forced.
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        EventLoop? loop = null;
        FiberContext.BeforeEscapeWatch = fiber =>
        {
            if (ReferenceEquals(fiber.Loop, Volatile.Read(ref loop)))
            {
                gate.SetResult(); // the fiber goes on on the pool...
                Assert.True(SpinWait.SpinUntil(() => fiber.BodyCompleted, TimeSpan.FromSeconds(30))); // ...and finishes there
            }
        };
        try
        {
            var run = Task.Run(() => Eio.Run(async _ =>
            {
                Volatile.Write(ref loop, EventLoop.Current);
                try
                {
                    await Switch.Run(sw =>
                    {
                        F.Fork(sw, async () => await gate.Task.ConfigureAwait(false));
                        return ValueTask.CompletedTask;
                    });
                    Line("not reached");
                }
                catch (InvalidOperationException e)
                {
                    Line(e.Message.Contains("off its loop", StringComparison.Ordinal) ? "switch failed: fiber finished off its loop" : e.Message);
                }
            }));
            Assert.True(run.Wait(TimeSpan.FromSeconds(60)), "the run hung");
            Assert.Equal(["switch failed: fiber finished off its loop"], run.Result);
        }
        finally
        {
            FiberContext.BeforeEscapeWatch = null;
        }
    }

    /// <summary>
    /// Continues the calling fiber on a pool thread (ConfigureAwait(false)), once the loop has ended the step that
    /// suspended it (<paramref name="stepEnded"/>, set by the forking code after Fork returns): the escape then happens
    /// at a known point, not in a race with the loop's own end-of-step check.
    /// </summary>
    private static async Task EscapeTheLoop(ManualResetEventSlim stepEnded)
    {
        int loopThread = Environment.CurrentManagedThreadId;
        do
        {
            await Task.Run(static () => { }).ConfigureAwait(false);
        }
        while (Environment.CurrentManagedThreadId == loopThread);
        Assert.True(stepEnded.Wait(TimeSpan.FromSeconds(30)), "the loop never ended the fiber's step");
    }

    [Fact]
    public void Fibers_that_finish_on_the_loop_after_a_foreign_await_leave_nothing_behind()
    {
        // Regression: the escape check used to hop to the thread pool for every such fiber and post to the loop after
        // the run had ended, which threw on a pool thread and crashed the process.
        Bounded.Run(() =>
        {
            for (int i = 0; i < 200; i++)
            {
                int result = F.RunMock(async _ =>
                {
                    await Switch.Run(async sw =>
                    {
                        F.Fork(sw, async () => await Task.Run(static () => { }).ConfigureAwait(true));
                        await Task.Run(static () => { }).ConfigureAwait(true);
                    });
                    return await Task.Run(static () => 1).ConfigureAwait(true);
                });
                Assert.Equal(1, result);
            }
        });
    }
}
