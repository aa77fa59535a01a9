using Bridge.Fibers;
using static Bridge.Fibers.Trace;
using F = Bridge.Fibers.Fiber;

namespace Bridge.Fiber.Tests.Sync;

/// <summary>FiberSemaphore: Eio's semaphore.md and the semaphore part of sync.md.</summary>
public class SemaphoreTests
{
    private static async ValueTask Acquire(FiberSemaphore t, string who = "")
    {
        Line($"{who}Acquiring");
        await t.Acquire();
        Line($"{who}Acquired");
    }

    private static void Release(FiberSemaphore t, string who = "")
    {
        Line($"{who}Releasing");
        t.Release();
        Line($"{who}Released");
    }

    [Fact]
    public void Negative_count_is_rejected()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new FiberSemaphore(-1));
        Assert.Equal("initialCount", e.ParamName);
        Assert.Equal(0, new FiberSemaphore(0).Value);
    }

    [Fact]
    public void Simple_acquire_and_release()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var t = new FiberSemaphore(1);
            await Acquire(t);
            Line($"Value {t.Value}");
            Release(t);
            await Acquire(t);
            Release(t);
            Line($"Value {t.Value}");
        });
        Assert.Equal(
            ["Acquiring", "Acquired", "Value 0", "Releasing", "Released", "Acquiring", "Acquired", "Releasing", "Released", "Value 1"],
            trace);
    }

    [Fact]
    public void Concurrent_acquirers_beyond_the_count_wait_and_are_served_in_order()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var t = new FiberSemaphore(2);
            Func<ValueTask> Body(string who) => async () =>
            {
                await Acquire(t, who);
                await F.Yield();
                Release(t, who);
            };
            await F.All(Body("a: "), Body("b: "), Body("c: "), Body("d: "));
            Line($"Value {t.Value}");
        });
        Assert.Equal(
            [
                "a: Acquiring", "a: Acquired", "b: Acquiring", "b: Acquired", "c: Acquiring", "d: Acquiring",
                "a: Releasing", "a: Released", "b: Releasing", "b: Released", "c: Acquired", "d: Acquired",
                "c: Releasing", "c: Released", "d: Releasing", "d: Released", "Value 2",
            ],
            trace);
    }

    [Fact]
    public void A_cancelled_acquire_loses_no_token()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var t = new FiberSemaphore(0);
            await F.First(
                async () =>
                {
                    await Acquire(t);
                    return 1;
                },
                () => ValueTask.FromResult(2));
            Release(t);
            Line($"Value {t.Value}");
            await Acquire(t);
            Line($"Value {t.Value}");
        });
        Assert.Equal(["Acquiring", "Releasing", "Released", "Value 1", "Acquiring", "Acquired", "Value 0"], trace);
    }

    [Fact]
    public void A_token_already_handed_over_wins_over_a_later_cancel()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var t = new FiberSemaphore(0);
            await Switch.Run(async sw =>
            {
                CancelScope? scope = null;
                F.Fork(sw, () => Cancel.Sub(async s =>
                {
                    scope = s;
                    await Acquire(t, "a: ");
                    Release(t, "a: ");
                }));
                Release(t, "main: ");
                scope!.Cancel(new StopException());
                Line($"main: cancelled a, Value {t.Value}");
            });
            Line($"Value {t.Value}");
        });
        Assert.Equal(
            ["a: Acquiring", "main: Releasing", "main: Released", "main: cancelled a, Value 0", "a: Acquired", "a: Releasing", "a: Released", "Value 1"],
            trace);
    }

    [Fact]
    public void Acquire_with_a_free_token_does_not_check_cancellation_but_waiting_does()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var t = new FiberSemaphore(1);
            await Cancel.Sub(async scope =>
            {
                scope.Cancel(new StopException());
                await Acquire(t);
                try
                {
                    await Acquire(t);
                }
                catch (CancelledException e)
                {
                    Line(e.Message);
                }
            });
            Line($"Value {t.Value}");
        });
        Assert.Equal(["Acquiring", "Acquired", "Acquiring", "Cancelled: StopException: stop", "Value 0"], trace);
    }

    [Fact]
    public void Only_count_fibers_run_at_once()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            await Switch.Run(async sw =>
            {
                int running = 0;
                var sem = new FiberSemaphore(2);
                FiberPromise<Unit> Start() => F.ForkPromise(sw, async () =>
                {
                    await sem.Acquire();
                    running++;
                    return default(Unit);
                });
                var a = Start();
                var b = Start();
                var c = Start();
                var d = Start();
                Line($"Semaphore means that only {running} threads are running");
                await a;
                await b;
                running--;
                sem.Release();
                Line($"One finished; now {running} is running");
                await F.Yield();
                Line($"Yield allows C to start; now {running} are running");
                await c;
                running--;
                sem.Release();
                await d;
                running--;
                sem.Release();
                running--;
                sem.Release();
                Line($"Value {sem.Value}, running {running}");
            });
        });
        Assert.Equal(
            [
                "Semaphore means that only 2 threads are running", "One finished; now 1 is running",
                "Yield allows C to start; now 2 are running", "Value 2, running 0",
            ],
            trace);
    }

    [Fact]
    public void Releasing_with_and_without_waiters()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            await Switch.Run(sw =>
            {
                var sem = new FiberSemaphore(0);
                sem.Release();
                Line($"Initial config: {sem.Value}");
                F.Fork(sw, async () => await sem.Acquire());
                F.Fork(sw, async () => await sem.Acquire());
                Line($"A running: {sem.Value}");
                sem.Release();
                Line($"Now b running: {sem.Value}");
                sem.Release();
                Line($"Finished: {sem.Value}");
                return ValueTask.CompletedTask;
            });
        });
        Assert.Equal(["Initial config: 1", "A running: 0", "Now b running: 0", "Finished: 1"], trace);
    }

    [Fact]
    public void Release_beyond_int_max_overflows()
    {
        var t = new FiberSemaphore(int.MaxValue);
        Assert.Throws<OverflowException>(t.Release);
        Assert.Equal(int.MaxValue, t.Value);
    }

    [Fact]
    public void Acquire_outside_a_fiber_is_rejected()
    {
        var t = new FiberSemaphore(1);
        var e = Assert.Throws<InvalidOperationException>(() => t.Acquire());
        Assert.Contains("FiberSemaphore.Acquire", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, t.Value);
    }
}
