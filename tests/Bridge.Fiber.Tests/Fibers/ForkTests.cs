using Bridge.Fiber.Tests.Support;
using Bridge.Fibers;
using static Bridge.Fibers.Trace;
using F = Bridge.Fibers.Fiber;

namespace Bridge.Fiber.Tests.FiberTests;

/// <summary>Fork, ForkDaemon and ForkPromise: what starts, what the switch waits for, where errors go.</summary>
public class ForkTests
{
    [Fact]
    public void A_chain_of_100_000_nested_forks_runs_to_the_end_instead_of_overflowing_the_stack()
    {
        // Each child forks its own child before it first suspends, so each runs one level deeper on the loop thread's
        // stack (Eio's fibers have a stack each). This used to end the process with a stack overflow at ~20 000 levels;
        // past a safe depth a child now starts right after the current step. Fork order is kept throughout: the three
        // children forked at the bottom start in the order they were forked.
        const int depth = 100_000;
        var trace = TraceRun.Mock(async _ =>
        {
            int started = 0;
            int finished = 0;
            await Switch.Run(async sw =>
            {
                async ValueTask Chain(int k)
                {
                    started++;
                    if (k > 0)
                    {
                        F.Fork(sw, () => Chain(k - 1));
                    }
                    else
                    {
                        for (int i = 1; i <= 3; i++)
                        {
                            int child = i;
                            F.Fork(sw, () =>
                            {
                                Line($"bottom child {child}");
                                return ValueTask.CompletedTask;
                            });
                        }
                    }

                    await F.Yield();
                    finished++;
                }

                await Chain(depth);
            });
            Line($"started {started}, finished {finished}");
        });
        Assert.Equal(["bottom child 1", "bottom child 2", "bottom child 3", $"started {depth + 1}, finished {depth + 1}"], trace);
    }

    [Fact]
    public void Fork_on_a_cancelled_switch_silently_does_not_start()
    {
        var trace = Eio.Run(async _ =>
            await Switch.Run(sw =>
            {
                sw.Fail(new Failure("Cancel"));
                F.Fork(sw, () => { Line("Not reached"); return ValueTask.CompletedTask; });
                F.ForkDaemon(sw, () => { Line("Not reached either"); return ValueTask.CompletedTask; });
                Line("Main continues");
                return ValueTask.CompletedTask;
            }));
        Assert.Equal(["Main continues", "Exception: Failure(\"Cancel\")"], trace);
    }

    [Fact]
    public void Fork_on_a_finished_switch_throws_switch_finished()
    {
        var trace = Eio.Run(async _ =>
        {
            var finished = await Switch.Run(sw => ValueTask.FromResult(sw));
            Line($"IsFinished = {finished.IsFinished}");
            foreach (var (name, act) in new (string, Action)[]
            {
                ("Fork", () => F.Fork(finished, () => ValueTask.CompletedTask)),
                ("ForkDaemon", () => F.ForkDaemon(finished, () => ValueTask.CompletedTask)),
                ("ForkPromise", () => F.ForkPromise(finished, () => ValueTask.FromResult(1))),
                ("Check", finished.Check),
                ("Fail", () => finished.Fail(new Failure("late"))),
            })
            {
                var e = Assert.Throws<InvalidOperationException>(act);
                Line($"{name}: {e.Message}");
            }
        });
        Assert.Equal(
            [
                "IsFinished = True", "Fork: Switch finished", "ForkDaemon: Switch finished", "ForkPromise: Switch finished",
                "Check: Switch finished", "Fail: Switch finished",
            ],
            trace);
    }

    [Fact]
    public void A_daemon_runs_until_the_non_daemon_fibers_finish()
    {
        var trace = Eio.Run(async _ =>
            await Switch.Run(async sw =>
            {
                F.ForkDaemon(sw, async () =>
                {
                    for (int i = 1; i <= 10; i++)
                    {
                        Line("Daemon running");
                        await F.Yield();
                    }

                    throw new Failure("Test failed");
                });
                Line("Main running 1");
                await F.Yield();
                Line("Main running 2");
            }));
        Assert.Equal(["Daemon running", "Main running 1", "Daemon running", "Main running 2"], trace);
    }

    [Fact]
    public void Daemons_and_workers_mixed_and_a_cancelled_daemon_cannot_spawn_more()
    {
        var trace = Eio.Run(async _ =>
            await Switch.Run(async sw =>
            {
                F.Fork(sw, async () =>
                {
                    Line("Worker 1 starting");
                    await F.Yield();
                    Line("Worker 1 running");
                    await F.Yield();
                    Line("Worker 1 finished");
                });
                F.Fork(sw, async () =>
                {
                    Line("Worker 2 starting");
                    await F.Yield();
                    Line("Worker 2 finished");
                });
                F.ForkDaemon(sw, async () =>
                {
                    try
                    {
                        for (int i = 1; i <= 10; i++)
                        {
                            Line("Daemon 1 running");
                            await F.Yield();
                        }

                        throw new Failure("Test failed");
                    }
                    catch (CancelledException)
                    {
                        Line("Daemon cancelled; trying to spawn more fibers");
                        F.ForkDaemon(sw, () => throw new Failure("Shouldn't start"));
                        F.Fork(sw, () => throw new Failure("Shouldn't start"));
                        throw;
                    }
                });
                F.ForkDaemon(sw, async () =>
                {
                    Line("Daemon 2 running");
                    await F.Yield();
                    Line("Daemon 2 finished");
                });
                Line("Main running");
                await F.Yield();
                Line("Main finished");
            }));
        Assert.Equal(
            [
                "Worker 1 starting", "Worker 2 starting", "Daemon 1 running", "Daemon 2 running", "Main running",
                "Worker 1 running", "Worker 2 finished", "Daemon 1 running", "Daemon 2 finished", "Main finished",
                "Worker 1 finished", "Daemon cancelled; trying to spawn more fibers",
            ],
            trace);
    }

    [Fact]
    public void A_failing_daemon_still_reports_its_error()
    {
        var trace = Eio.Run(async _ =>
            await Switch.Run(async sw =>
            {
                F.ForkDaemon(sw, async () =>
                {
                    await F.Yield();
                    throw new Failure("Simulated error");
                });
                await F.Yield();
            }));
        Assert.Equal(["Exception: Failure(\"Simulated error\")"], trace);
    }

    [Fact]
    public void The_switch_does_not_wait_for_a_daemon_but_waits_for_it_to_exit_once_cancelled()
    {
        var trace = Eio.Run(async _ =>
        {
            await Switch.Run(sw =>
            {
                F.ForkDaemon(sw, async () =>
                {
                    try
                    {
                        Line("daemon waiting");
                        await F.AwaitCancel();
                    }
                    catch (CancelledException)
                    {
                        Line("daemon cancelled; cleaning up");
                        await Cancel.Protect(async () => await F.Yield());
                        Line("daemon exits");
                        throw;
                    }
                });
                Line("main done");
                return ValueTask.CompletedTask;
            });
            Line("switch finished");
        });
        Assert.Equal(["daemon waiting", "main done", "daemon cancelled; cleaning up", "daemon exits", "switch finished"], trace);
    }

    [Fact]
    public void A_daemon_that_returns_just_stops()
    {
        var trace = Eio.Run(async _ =>
        {
            await Switch.Run(async sw =>
            {
                F.ForkDaemon(sw, () => { Line("daemon stops at once"); return ValueTask.CompletedTask; });
                F.Fork(sw, async () => { await F.Yield(); Line("worker done"); });
                await F.Yield();
                Line("main done");
            });
            Line("switch finished");
        });
        Assert.Equal(["daemon stops at once", "worker done", "main done", "switch finished"], trace);
    }

    [Fact]
    public void ForkPromise_resolves_after_its_fiber_runs()
    {
        var trace = Eio.Run(async _ =>
            await Switch.Run(async sw =>
            {
                var (p, r) = FiberPromise.Create<string>();
                Line($"Initial state: {State(p)}");
                var thread = F.ForkPromise(sw, async () => await p);
                r.Resolve("ok");
                Line($"After being fulfilled: {State(p)}");
                Line($"Thread before yield: {State(thread)}");
                await F.Yield();
                Line($"Thread after yield: {State(thread)}");
                Line($"Final result: {await thread}");
            }));
        Assert.Equal(
            ["Initial state: unresolved", "After being fulfilled: fulfilled:ok", "Thread before yield: unresolved", "Thread after yield: fulfilled:ok", "Final result: ok"],
            trace);
    }

    [Fact]
    public void ForkPromise_rejects_instead_of_failing_the_switch()
    {
        var trace = Eio.Run(async _ =>
        {
            await Switch.Run(async sw =>
            {
                var (p, r) = FiberPromise.Create<string>();
                var thread = F.ForkPromise(sw, async () => await p);
                r.Reject(new Failure("test"));
                Line($"After being broken: {State(p)}");
                Line($"Thread before yield: {State(thread)}");
                await F.Yield();
                Line($"Thread after yield: {State(thread)}");
                Line($"Switch cancelled: {sw.IsCancelled}");
                try
                {
                    Line(await thread);
                }
                catch (Failure e)
                {
                    Line($"Final result exception: {e.Message}");
                }
            });
            Line("switch ok");
        });
        Assert.Equal(
            [
                "After being broken: broken:test", "Thread before yield: unresolved", "Thread after yield: broken:test",
                "Switch cancelled: False", "Final result exception: test", "switch ok",
            ],
            trace);
    }

    [Fact]
    public void ForkPromise_uses_the_switch_cancellation_context_not_the_callers()
    {
        var trace = Eio.Run(async () =>
        {
            Switch? captured = null;
            await F.Both(
                async () => await Switch.Run(async sw =>
                {
                    captured = sw;
                    await F.AwaitCancel();
                }),
                async () =>
                {
                    var sw = captured!;
                    await Cancel.Protect(async () =>
                    {
                        var child = F.ForkPromise(sw, async () =>
                        {
                            Line("Forked child");
                            await F.AwaitCancel();
                            return 0;
                        });
                        sw.Fail(new Exit());
                        await child;
                    });
                });
            return "not reached";
        });
        Assert.Equal(["Forked child", "Exception: Exit"], trace);
    }

    private static string State<T>(FiberPromise<T> p) =>
        !p.IsResolved ? "unresolved"
        : p.TryPeek(out var v) ? $"fulfilled:{v}"
        : "broken:" + BrokenMessage(p);

    private static string BrokenMessage<T>(FiberPromise<T> p)
    {
        var awaiter = p.GetAwaiter();
        try
        {
            awaiter.GetResult();
            return "?";
        }
        catch (Exception e)
        {
            return e.Message;
        }
    }
}
