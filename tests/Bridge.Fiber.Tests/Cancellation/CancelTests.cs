using Bridge.Fiber.Tests.Support;
using Bridge.Fibers;
using static Bridge.Fibers.Trace;
using F = Bridge.Fibers.Fiber;

namespace Bridge.Fiber.Tests.Cancellation;

/// <summary>Cancel.Protect, Cancel.Sub, CancelledException.Reason and "check when an operation starts to block".</summary>
public class CancelTests
{
    [Fact]
    public void Protect_shields_its_body_and_does_not_recheck_on_exit()
    {
        var trace = Eio.Run(async _ =>
        {
            await Cancel.Sub(async scope =>
            {
                scope.Cancel(new Failure("outer"));
                int r = await Cancel.Protect(async () =>
                {
                    Line($"inside: cancelled = {F.IsCancelled}");
                    await F.Yield();
                    await Time.Sleep(TimeSpan.FromSeconds(1));
                    Line("protected work done");
                    return 5;
                });
                Line($"Protect returned {r}; cancelled = {F.IsCancelled}");
                try
                {
                    F.Check();
                }
                catch (CancelledException e)
                {
                    Line("Check: " + Eio.Show(e));
                }
            });
        });
        Assert.Equal(
            [
                "inside: cancelled = False", "mock time is now 1", "protected work done", "Protect returned 5; cancelled = True",
                "Check: Cancelled: Failure(\"outer\")",
            ],
            trace);
    }

    [Fact]
    public void Cancelling_a_sub_scope_cancels_the_fibers_inside_it_only()
    {
        var trace = Eio.Run(async _ =>
            await Switch.Run(async sw =>
            {
                F.Fork(sw, async () => { await F.Yield(); Line($"outside fiber: cancelled = {F.IsCancelled}"); });
                try
                {
                    await Cancel.Sub(async scope =>
                    {
                        await Switch.Run(async inner =>
                        {
                            F.Fork(inner, async () =>
                            {
                                try
                                {
                                    await F.AwaitCancel();
                                }
                                catch (CancelledException e)
                                {
                                    Line("inner fiber: " + Eio.Show(e));
                                    throw;
                                }
                            });
                            scope.Cancel(new Failure("sub cancelled"));
                            Line($"scope: cancelled = {scope.IsCancelled}, reason = {Eio.Show(scope.Reason!)}");
                            await F.Yield();
                        });
                    });
                }
                catch (CancelledException e)
                {
                    Line("Sub raised " + Eio.Show(e));
                }

                Line($"main: cancelled = {F.IsCancelled}");
            }));
        Assert.Equal(
            [
                "scope: cancelled = True, reason = Failure(\"sub cancelled\")", "outside fiber: cancelled = False",
                "inner fiber: Cancelled: Failure(\"sub cancelled\")", "Sub raised Cancelled: Failure(\"sub cancelled\")",
                "main: cancelled = False",
            ],
            trace);
    }

    [Fact]
    public void Cancelling_the_parent_cancels_the_sub_and_Sub_checks_on_entry()
    {
        var trace = Eio.Run(async _ =>
        {
            await Cancel.Sub(async outer =>
            {
                await F.Both(
                    async () =>
                    {
                        try
                        {
                            await Cancel.Sub(async _ => await F.AwaitCancel());
                        }
                        catch (CancelledException e)
                        {
                            Line("nested sub: " + Eio.Show(e));
                        }
                    },
                    () =>
                    {
                        outer.Cancel(new Exit());
                        return ValueTask.CompletedTask;
                    });
            });
            Line("outer Sub returned");
        });
        Assert.Equal(["nested sub: Cancelled: Exit", "outer Sub returned"], trace);
    }

    [Fact]
    public void Sub_on_a_cancelled_fiber_throws_before_running_and_a_finished_scope_cannot_be_cancelled()
    {
        var trace = Eio.Run(async _ =>
        {
            CancelScope? leaked = null;
            await Cancel.Sub(scope =>
            {
                leaked = scope;
                return ValueTask.CompletedTask;
            });
            var e = Assert.Throws<InvalidOperationException>(() => leaked!.Cancel(new Exit()));
            Line("finished scope: " + e.Message);
            await Cancel.Sub(async scope =>
            {
                scope.Cancel(new Exit());
                scope.Cancel(new Failure("second cancel is a no-op"));
                Line("reason: " + Eio.Show(scope.Reason!));
                try
                {
                    await Cancel.Sub(_ => { Line("not reached"); return ValueTask.CompletedTask; });
                }
                catch (CancelledException c)
                {
                    Line("Sub: " + Eio.Show(c));
                }
            });
        });
        Assert.Equal(["finished scope: Cancellation context finished", "reason: Exit", "Sub: Cancelled: Exit"], trace);
    }

    [Fact]
    public void CancelledException_carries_its_reason_and_is_an_OperationCanceledException()
    {
        var reason = new Failure("why");
        var e = new CancelledException(reason);
        Assert.Same(reason, e.Reason);
        Assert.IsAssignableFrom<OperationCanceledException>(e);
        Assert.Equal("Cancelled: Failure: why", e.Message);
        Assert.Equal("Cancelled: Cancelled: Failure: why", new CancelledException(e).Message);
        Assert.Throws<ArgumentNullException>(() => new CancelledException(null!));
    }

    [Fact]
    public void A_cancelled_fiber_fails_as_soon_as_an_operation_would_block()
    {
        var trace = Eio.Run(async _ =>
        {
            var (pending, _) = FiberPromise.Create<int>();
            await Cancel.Sub(async scope =>
            {
                scope.Cancel(new Exit());
                Line("non-blocking calls do not check");
                Trace.Line($"resolved promise: {await FiberPromise.FromResult(1)}");
                foreach (var (name, op) in new (string, Func<ValueTask>)[]
                {
                    ("await pending promise", async () => await pending),
                    ("Sleep(1s)", async () => await Time.Sleep(TimeSpan.FromSeconds(1))),
                    ("Sleep(0)", async () => await Time.Sleep(TimeSpan.Zero)),
                    ("Yield", async () => await F.Yield()),
                    ("AwaitCancel", F.AwaitCancel),
                })
                {
                    try
                    {
                        await op();
                        Line($"{name}: returned");
                    }
                    catch (CancelledException e)
                    {
                        Line($"{name}: {Eio.Show(e)}");
                    }
                }
            });
        });
        Assert.Equal(
            [
                "non-blocking calls do not check", "resolved promise: 1", "await pending promise: Cancelled: Exit",
                "Sleep(1s): Cancelled: Exit", "Sleep(0): Cancelled: Exit", "Yield: Cancelled: Exit", "AwaitCancel: Cancelled: Exit",
            ],
            trace);
    }

    [Fact]
    public void Cancelling_a_sleeper_stops_its_timer()
    {
        var trace = Eio.Run(async _ =>
        {
            await Cancel.Sub(async scope => await F.Both(
                async () =>
                {
                    try
                    {
                        await Time.Sleep(TimeSpan.FromSeconds(10));
                    }
                    catch (CancelledException e)
                    {
                        Line("sleeper: " + Eio.Show(e));
                    }
                },
                () =>
                {
                    scope.Cancel(new Exit());
                    return ValueTask.CompletedTask;
                }));
            await Time.Sleep(TimeSpan.FromSeconds(1));
            Line("done");
        });
        Assert.Equal(["sleeper: Cancelled: Exit", "mock time is now 1", "done"], trace);
    }
}
