using Bridge.Fiber.Tests.Support;
using Bridge.Fibers;
using Bridge.Runtimes;
using static Bridge.Fibers.Trace;
using F = Bridge.Fibers.Fiber;

namespace Bridge.Fiber.Tests.TimeTests;

/// <summary>Time.Sleep, SleepUntil and WithTimeout on the mock clock.</summary>
public class TimeTests
{
    private static Func<ValueTask> Sleeper(string label, double seconds) => async () =>
    {
        await Time.Sleep(TimeSpan.FromSeconds(seconds));
        Line($"{label} ({seconds}) woken");
    };

    [Fact]
    public void The_mock_clock_wakes_sleepers_in_deadline_order_ties_in_registration_order()
    {
        var trace = Eio.Run(async _ => await F.All(
            Sleeper("A", 5), Sleeper("B", 7), Sleeper("C", 2), Sleeper("D", 0), Sleeper("E", 5)));
        Assert.Equal(
            ["D (0) woken", "mock time is now 2", "C (2) woken", "mock time is now 5", "A (5) woken", "E (5) woken", "mock time is now 7", "B (7) woken"],
            trace);
    }

    [Fact]
    public void Mock_time_is_printed_in_shortest_form()
    {
        var trace = Eio.Run(async env =>
        {
            var start = env.Clock.GetUtcNow();
            await Time.Sleep(TimeSpan.FromSeconds(0.5));
            await Time.Sleep(TimeSpan.FromSeconds(61.5));
            await Time.SleepUntil(env.Clock.GetUtcNow() + TimeSpan.FromMilliseconds(250));
            Line($"clock reads {(env.Clock.GetUtcNow() - start).TotalSeconds}");
        });
        Assert.Equal(["mock time is now 0.5", "mock time is now 62", "mock time is now 62.25", "clock reads 62.25"], trace);
    }

    [Fact]
    public void A_sleep_that_is_already_due_still_yields()
    {
        var trace = Eio.Run(async _ => await F.Both(
            async () => { Line("First fiber runs"); await Time.Sleep(TimeSpan.FromSeconds(-1)); Line("Sleep done"); },
            () => { Line("Second fiber runs"); return ValueTask.CompletedTask; }));
        Assert.Equal(["First fiber runs", "Second fiber runs", "Sleep done"], trace);
        var zero = Eio.Run(async _ => await F.Both(
            async () => { Line("zero sleep"); await Time.Sleep(TimeSpan.Zero); Line("zero sleep done"); },
            async () => { Line("other"); await F.Yield(); Line("other again"); }));
        Assert.Equal(["zero sleep", "other", "zero sleep done", "other again"], zero);
    }

    [Fact]
    public void A_short_timer_fires_first_and_its_failure_cancels_the_long_sleep()
    {
        var trace = Eio.Run(async _ => await F.Both(
            async () =>
            {
                await Time.Sleep(TimeSpan.FromSeconds(1200));
                throw new InvalidOperationException("assert false");
            },
            async () =>
            {
                await Time.Sleep(TimeSpan.FromSeconds(0.1));
                Line("Short timer finished");
                throw new Failure("Simulated cancel");
            }));
        Assert.Equal(["mock time is now 0.1", "Short timer finished", "Exception: Failure(\"Simulated cancel\")"], trace);
    }

    [Fact]
    public void Sleeping_on_a_failed_switch_throws_at_once()
    {
        var trace = Eio.Run(async _ => await Switch.Run(async sw =>
        {
            sw.Fail(new Failure("Simulated failure"));
            await Time.Sleep(TimeSpan.FromSeconds(1200));
            throw new InvalidOperationException("assert false");
        }));
        Assert.Equal(["Exception: Failure(\"Simulated failure\")"], trace);
    }

    [Fact]
    public void A_cancelled_sleeper_never_wakes_and_its_timer_is_gone()
    {
        var trace = Eio.Run(async _ =>
        {
            await F.First(
                async () => { await Sleeper("A", 5)(); return 0; },
                () => { Line("Cancel sleeper"); return ValueTask.FromResult(1); });
            Line("done");
        });
        Assert.Equal(["Cancel sleeper", "done"], trace);
    }

    [Fact]
    public void Nested_timeouts_that_fire_together_throw_one_TimeoutException()
    {
        // Eio's Timeout is a single value, and combining it with itself gives Timeout, not Multiple.
        var trace = Eio.Run(async _ =>
        {
            try
            {
                await Time.WithTimeout(TimeSpan.FromSeconds(1), async () =>
                    await Time.WithTimeout(TimeSpan.FromSeconds(1), async () => await Time.Sleep(TimeSpan.FromSeconds(5))));
            }
            catch (TimeoutException e)
            {
                Line(e.Message);
            }
        });
        Assert.Equal(["mock time is now 1", "Timeout after 00:00:01"], trace);
    }

    [Fact]
    public void WithTimeout_cancels_the_body_and_throws_TimeoutException()
    {
        var trace = Eio.Run(async _ =>
        {
            try
            {
                await Time.WithTimeout(TimeSpan.FromSeconds(2), async () =>
                {
                    try
                    {
                        Line("body waits");
                        await F.AwaitCancel();
                    }
                    catch (CancelledException e)
                    {
                        Line($"body: cancelled ({e.Reason.GetType().Name})");
                        throw;
                    }
                });
            }
            catch (TimeoutException)
            {
                Line("TimeoutException");
            }

            int fast = await Time.WithTimeout(TimeSpan.FromSeconds(10), async () =>
            {
                await Time.Sleep(TimeSpan.FromSeconds(1));
                return 42;
            });
            Line($"fast body returned {fast}");
            await Time.Sleep(TimeSpan.FromSeconds(20));
            Line("no stray timeout fired");
        });
        Assert.Equal(
            [
                "body waits", "mock time is now 2", "body: cancelled (TimeoutException)", "TimeoutException", "mock time is now 3",
                "fast body returned 42", "mock time is now 23", "no stray timeout fired",
            ],
            trace);
    }

    [Fact]
    public void A_timer_that_fired_returns_even_if_the_fiber_is_cancelled_before_it_runs()
    {
        var trace = Eio.Run(async _ =>
            await Switch.Run(sw =>
            {
                F.Fork(sw, async () =>
                {
                    await Time.Sleep(TimeSpan.FromSeconds(1));
                    sw.Fail(new Failure("after the timer"));
                });
                F.Fork(sw, async () =>
                {
                    await Time.Sleep(TimeSpan.FromSeconds(1));
                    Line($"sleeper woke; cancelled = {F.IsCancelled}");
                });
                return ValueTask.CompletedTask;
            }));
        Assert.Equal(["mock time is now 1", "sleeper woke; cancelled = True", "Exception: Failure(\"after the timer\")"], trace);
    }

    [Fact]
    public void A_program_that_can_never_finish_is_a_deadlock_after_the_clock_runs_out()
    {
        var lines = new List<string>();
        var e = Assert.Throws<DeadlockException>(() => F.RunMock(async _ =>
        {
            await Time.Sleep(TimeSpan.FromSeconds(2));
            Line("Timeout done");
            await FiberPromise.Create<int>("never").Promise;
        }, new FiberRunOptions { Trace = lines.Add }));
        Assert.Equal(["mock time is now 2", "Timeout done"], lines);
        Assert.Contains("'main'", e.Message, StringComparison.Ordinal);
    }
}
