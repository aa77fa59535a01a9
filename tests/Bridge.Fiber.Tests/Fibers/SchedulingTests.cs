using Bridge.Fiber.Tests.Support;
using Bridge.Fibers;
using static Bridge.Fibers.Trace;
using F = Bridge.Fibers.Fiber;

namespace Bridge.Fiber.Tests.FiberTests;

/// <summary>Run-queue order: a forked child runs at once, its parent goes to the head of the queue, Yield goes to the tail.</summary>
public class SchedulingTests
{
    [Fact]
    public void Fork_runs_the_child_first_and_the_caller_before_queued_work()
    {
        var trace = Eio.Run(async () =>
        {
            await Switch.Run(async sw =>
            {
                F.Fork(sw, async () => { Line("1st child runs"); await F.Yield(); Line("Queued work"); });
                F.Fork(sw, () => { Line("2nd child runs immediately"); return ValueTask.CompletedTask; });
                Line("Caller runs before queued work");
                await ValueTask.CompletedTask;
            });
            return "ok";
        });
        Assert.Equal(["1st child runs", "2nd child runs immediately", "Caller runs before queued work", "Queued work", "ok"], trace);
    }

    [Fact]
    public void Both_runs_its_branches_before_queued_work()
    {
        var trace = Eio.Run(async () =>
        {
            await Switch.Run(async sw =>
            {
                F.Fork(sw, async () => { Line("Enqueuing work for later"); await F.Yield(); Line("Queued work"); });
                await F.Both(
                    () => { Line("1st branch"); return ValueTask.CompletedTask; },
                    () => { Line("2nd branch"); return ValueTask.CompletedTask; });
            });
            return "ok";
        });
        Assert.Equal(["Enqueuing work for later", "1st branch", "2nd branch", "Queued work", "ok"], trace);
    }

    [Fact]
    public void First_runs_its_branches_before_queued_work()
    {
        var trace = Eio.Run(async () =>
        {
            await Switch.Run(async sw =>
            {
                F.Fork(sw, async () => { Line("Enqueuing work for later"); await F.Yield(); Line("Queued work"); });
                await F.First(
                    () => { Line("1st branch"); return ValueTask.FromResult(1); },
                    () => { Line("2nd branch"); return ValueTask.FromResult(2); });
            });
            return "ok";
        });
        Assert.Equal(["Enqueuing work for later", "1st branch", "2nd branch", "Queued work", "ok"], trace);
    }

    [Fact]
    public void Nested_forks_unwind_grandchild_child_parent_before_the_queue()
    {
        var trace = Eio.Run(async () =>
        {
            await Switch.Run(async sw =>
            {
                F.Fork(sw, async () => { Line("queued: start"); await F.Yield(); Line("queued: resumed"); });
                F.Fork(sw, async () =>
                {
                    Line("child: start");
                    F.Fork(sw, async () => { Line("grandchild: start"); await F.Yield(); Line("grandchild: resumed"); });
                    Line("child: after fork");
                    await F.Yield();
                    Line("child: resumed");
                });
                Line("parent: after fork");
                await F.Yield();
                Line("parent: resumed");
            });
            return "done";
        });
        Assert.Equal(
            [
                "queued: start", "child: start", "grandchild: start", "child: after fork", "parent: after fork",
                "queued: resumed", "grandchild: resumed", "child: resumed", "parent: resumed", "done",
            ],
            trace);
    }

    [Fact]
    public void Yield_round_robins_many_fibers_in_fork_order()
    {
        var trace = Eio.Run(async () =>
        {
            await Switch.Run(async sw =>
            {
                for (int i = 1; i <= 4; i++)
                {
                    int id = i;
                    F.Fork(sw, async () =>
                    {
                        for (int round = 1; round <= 3; round++)
                        {
                            Line($"f{id}.{round}");
                            await F.Yield();
                        }
                    });
                }

                for (int round = 1; round <= 3; round++)
                {
                    Line($"main.{round}");
                    await F.Yield();
                }
            });
            return "done";
        });
        Assert.Equal(
            [
                "f1.1", "f2.1", "f3.1", "f4.1", "main.1",
                "f1.2", "f2.2", "f3.2", "f4.2", "main.2",
                "f1.3", "f2.3", "f3.3", "f4.3", "main.3",
                "done",
            ],
            trace);
    }

    [Fact]
    public void Yield_checks_cancellation_after_resuming_so_others_run_once_more()
    {
        var trace = Eio.Run(async () =>
        {
            await Switch.Run(async sw =>
            {
                F.Fork(sw, async () => { Line("other 1"); await F.Yield(); Line("other 2"); await F.Yield(); Line("other 3"); });
                try
                {
                    await Cancel.Sub(async scope =>
                    {
                        scope.Cancel(new Failure("stop"));
                        Line("cancelled; yielding");
                        await F.Yield();
                        Line("not reached");
                    });
                }
                catch (CancelledException e)
                {
                    Line("Yield raised " + Eio.Show(e));
                }
            });
            return "done";
        });
        Assert.Equal(["other 1", "cancelled; yielding", "other 2", "Yield raised Cancelled: Failure(\"stop\")", "other 3", "done"], trace);
    }

    [Fact]
    public void Forked_code_runs_and_its_exception_ends_the_switch()
    {
        var trace = Eio.Run(async _ =>
        {
            int i = 0;
            await Switch.Run(sw =>
            {
                F.Fork(sw, () => { i++; return ValueTask.CompletedTask; });
                return ValueTask.CompletedTask;
            });
            Line($"Forked code ran; i is now {i}");
            var (p1, r1) = FiberPromise.Create<int>();
            try
            {
                await Switch.Run(sw =>
                {
                    F.Fork(sw, async () => { await p1; i++; throw new Exit(); });
                    Line($"Forked code waiting; i is still {i}");
                    r1.Resolve(0);
                    return ValueTask.CompletedTask;
                });
                Line("not reached");
            }
            catch (Exit)
            {
                Line($"Forked code ran; i is now {i}");
            }
        });
        Assert.Equal(["Forked code ran; i is now 1", "Forked code waiting; i is still 1", "Forked code ran; i is now 2"], trace);
    }
}
