using Bridge.Fiber.Tests.Support;
using Bridge.Fibers;
using Bridge.Runtimes;
using static Bridge.Fibers.Trace;
using F = Bridge.Fibers.Fiber;

namespace Bridge.Fiber.Tests.Promises;

/// <summary>FiberPromise and FiberResolver: single assignment, FIFO wake-ups, cancellation, other threads.</summary>
public class FiberPromiseTests
{
    [Fact]
    public void Resolving_twice_throws_and_TryResolve_returns_false()
    {
        var trace = Eio.Run(async _ =>
        {
            var (p, r) = FiberPromise.Create<int>("twice");
            r.Resolve(1);
            Line("second Resolve: " + Assert.Throws<InvalidOperationException>(() => r.Resolve(2)).Message);
            Line("Reject after Resolve: " + Assert.Throws<InvalidOperationException>(() => r.Reject(new Exit())).Message);
            Line($"TryResolve: {r.TryResolve(3)}, TryReject: {r.TryReject(new Exit())}");
            Line($"value: {await p}, peek: {(p.TryPeek(out var v) ? v : -1)}, faulted: {p.IsFaulted}");
        });
        Assert.Equal(
            [
                "second Resolve: Can't resolve already-resolved promise", "Reject after Resolve: Can't resolve already-resolved promise",
                "TryResolve: False, TryReject: False", "value: 1, peek: 1, faulted: False",
            ],
            trace);
    }

    [Fact]
    public void Resolving_never_switches_fibers_and_wakes_waiters_in_order_at_the_tail()
    {
        var trace = Eio.Run(async _ =>
            await Switch.Run(async sw =>
            {
                var (p, r) = FiberPromise.Create<string>();
                for (int i = 1; i <= 3; i++)
                {
                    int id = i;
                    F.Fork(sw, async () => { Line($"waiter {id} waits"); Line($"waiter {id} got {await p}"); });
                }

                F.Fork(sw, async () => { await F.Yield(); Line("queued before the resolve runs"); });
                r.Resolve("x");
                Line("resolver continues");
                await F.Yield();
                Line("main after yield");
            }));
        Assert.Equal(
            [
                "waiter 1 waits", "waiter 2 waits", "waiter 3 waits", "resolver continues", "queued before the resolve runs",
                "waiter 1 got x", "waiter 2 got x", "waiter 3 got x", "main after yield",
            ],
            trace);
    }

    [Fact]
    public void An_already_resolved_promise_returns_even_when_cancelled()
    {
        var trace = Eio.Run(async _ =>
        {
            var ok = FiberPromise.FromResult("value");
            var bad = FiberPromise.FromException<string>(new Failure("rejected"));
            await Cancel.Sub(async scope =>
            {
                scope.Cancel(new Exit());
                Line($"resolved: {await ok}");
                try
                {
                    await bad;
                }
                catch (Failure e)
                {
                    Line($"rejected: {e.Message}");
                }
            });
        });
        Assert.Equal(["resolved: value", "rejected: rejected"], trace);
    }

    [Fact]
    public void A_cancelled_waiter_is_removed_and_the_others_still_get_the_value()
    {
        var trace = Eio.Run(async _ =>
            await Switch.Run(async sw =>
            {
                var (p, r) = FiberPromise.Create<int>();
                F.Fork(sw, async () => Line($"A got {await p}"));
                F.Fork(sw, async () =>
                {
                    try
                    {
                        await Cancel.Sub(async scope =>
                        {
                            F.Fork(sw, async () => { await F.Yield(); scope.Cancel(new Exit()); });
                            Line($"B got {await p}");
                        });
                    }
                    catch (CancelledException e)
                    {
                        Line("B: " + Eio.Show(e));
                    }
                });
                F.Fork(sw, async () => Line($"C got {await p}"));
                await F.Yield();
                r.Resolve(7);
            }));
        Assert.Equal(["B: Cancelled: Exit", "A got 7", "C got 7"], trace);
    }

    [Fact]
    public void Resolve_from_another_thread_wakes_a_fiber_under_Run()
    {
        string? got = null;
        Bounded.Run(() => F.Run(async _ =>
        {
            var (p, r) = FiberPromise.Create<string>("cross-thread");
            var resolving = Task.Run(() => r.Resolve("from the pool"));
            got = await p;
            await resolving.ConfigureAwait(true);
        }));
        Assert.Equal("from the pool", got);
    }

    [Fact]
    public void Resolve_from_another_thread_wakes_a_fiber_under_RunMock_when_the_wait_is_tracked()
    {
        var trace = Bounded.Run(() => Eio.Run(async _ =>
        {
            var (p, r) = FiberPromise.Create<string>("cross-thread");
            var loop = EventLoop.Current!;
            var pending = loop.TrackExternalOperation();
            using var gate = new ManualResetEventSlim();
            using var hook = loop.AddLeaveIterationHook(gate.Set);
            var resolving = Task.Run(() =>
            {
                Assert.True(gate.Wait(TimeSpan.FromSeconds(30)), "the loop never left an iteration");
                r.Resolve("from the pool");
                pending.Dispose();
            });
            Line($"got {await p}");
            await resolving.ConfigureAwait(true);
        }));
        Assert.Equal(["got from the pool"], trace);
    }

    [Fact]
    public void Turning_a_promise_into_a_Task_inside_a_fiber_does_not_park_the_fiber()
    {
        // Only an await suspends the fiber; AsTask and Task combinators are plain waiters (they used to park the fiber,
        // so its next wait failed with "two awaits are pending").
        var trace = Bounded.Run(() => TraceRun.Mock(async _ =>
        {
            var (first, resolveFirst) = FiberPromise.Create<int>("first");
            var (second, _) = FiberPromise.Create<int>("second");
            var asTask = first.AsValueTask().AsTask();
            var any = Task.WhenAny(first.AsValueTask().AsTask(), second.AsValueTask().AsTask());
            await F.Yield();
            Line("the fiber is free");
            resolveFirst.Resolve(3);
            Line($"as task: {await asTask}");
            Line($"any: {await await any}");
        }));
        Assert.Equal(["the fiber is free", "as task: 3", "any: 3"], trace);
    }

    [Fact]
    public void A_promise_can_be_awaited_many_times_and_as_a_ValueTask()
    {
        var trace = Eio.Run(async _ =>
        {
            var (p, r) = FiberPromise.Create<int>();
            await F.Both(
                async () =>
                {
                    Line($"first await: {await p}");
                    Line($"second await: {await p}");
                    Line($"as ValueTask: {await p.AsValueTask()}");
                    Line($"struct awaiter: {await new AwaiterWrapper<int>(p)}");
                },
                () =>
                {
                    r.Resolve(3);
                    return ValueTask.CompletedTask;
                });
        });
        Assert.Equal(["first await: 3", "second await: 3", "as ValueTask: 3", "struct awaiter: 3"], trace);
    }

    [Fact]
    public void Code_outside_fibers_can_await_a_promise_a_fiber_resolves()
    {
        var trace = Bounded.Run(() => Eio.Run(async _ =>
        {
            var (p, r) = FiberPromise.Create<string>();
            var plain = Task.Run(async () => await p + " (seen from the thread pool)");
            await Time.Sleep(TimeSpan.Zero);
            r.Resolve("resolved by a fiber");
            Line(await plain.ConfigureAwait(true));
        }));
        Assert.Equal(["resolved by a fiber (seen from the thread pool)"], trace);
    }

    /// <summary>Exposes the promise's public struct awaiter to <c>await</c>.</summary>
    private readonly struct AwaiterWrapper<T>(FiberPromise<T> promise)
    {
        public FiberPromise<T>.Awaiter GetAwaiter() => new(promise);
    }
}
