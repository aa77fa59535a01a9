using Bridge.Fibers;
using static Bridge.Fibers.Trace;
using F = Bridge.Fibers.Fiber;

namespace Bridge.Fiber.Tests.Readme;

/// <summary>Every example of Eio's README, reproduced line for line.</summary>
public class ReadmeExamples
{
    [Fact]
    public void Fibers_both_interleave_on_yield()
    {
        var trace = TraceRun.Mock(async _ =>
            await F.Both(
                async () => { for (int x = 1; x <= 3; x++) { Line($"x = {x}"); await F.Yield(); } },
                async () => { for (int y = 1; y <= 3; y++) { Line($"y = {y}"); await F.Yield(); } }));
        Assert.Equal(["x = 1", "y = 1", "x = 2", "y = 2", "x = 3", "y = 3"], trace);
    }

    [Fact]
    public void Cancellation_failure_cancels_the_sibling_and_rethrows_the_original()
    {
        var trace = TraceRun.MockCatching(async _ =>
            await F.Both(
                async () => { for (int x = 1; x <= 3; x++) { Line($"x = {x}"); await F.Yield(); } },
                () => throw new InvalidOperationException("Simulated error")));
        Assert.Equal(["x = 1", "Exception: InvalidOperationException: Simulated error"], trace);
    }

    [Fact]
    public void Racing_first_returns_the_first_to_finish()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            string x = await F.First(
                async () =>
                {
                    Line("first fiber delayed...");
                    await F.Yield();
                    Line("delay over");
                    return "a";
                },
                () => ValueTask.FromResult("b"));
            Line($"x = \"{x}\"");
        });
        Assert.Equal(["first fiber delayed...", "x = \"b\""], trace);
    }

    [Fact]
    public void Switches_wait_for_their_fibers()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            await Switch.Run(async sw =>
            {
                for (int i = 1; i <= 3; i++)
                {
                    int job = i;
                    F.Fork(sw, async () =>
                    {
                        Line($"Job {job} starting");
                        await F.Yield();
                        Line($"{job} done");
                    });
                }

                Line("All child fibers forked");
                await ValueTask.CompletedTask;
            });
            Line("Switch is finished");
        });
        Assert.Equal(
            ["Job 1 starting", "Job 2 starting", "Job 3 starting", "All child fibers forked", "1 done", "2 done", "3 done", "Switch is finished"],
            trace);
    }

    [Fact]
    public void Time_mock_clock_advances_when_idle()
    {
        var trace = TraceRun.Mock(async env =>
        {
            Line("Sleeping for five seconds...");
            await Time.Sleep(TimeSpan.FromSeconds(5));
            Line("Resumed");
        });
        Assert.Equal(["Sleeping for five seconds...", "mock time is now 5", "Resumed"], trace);
    }

    [Fact]
    public void Promises_wake_the_waiter()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var (promise, resolver) = FiberPromise.Create<int>();
            await F.Both(
                async () =>
                {
                    Line("Waiting for promise...");
                    int x = await promise;
                    Line($"x = {x}");
                },
                () =>
                {
                    Line("Resolving promise");
                    resolver.Resolve(42);
                    return ValueTask.CompletedTask;
                });
        });
        Assert.Equal(["Waiting for promise...", "Resolving promise", "x = 42"], trace);
    }
}
