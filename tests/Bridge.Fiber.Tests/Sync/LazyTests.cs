using Bridge.Fibers;
using static Bridge.Fibers.Trace;
using F = Bridge.Fibers.Fiber;

namespace Bridge.Fiber.Tests.Sync;

/// <summary>FiberLazy: Eio's lazy.md behaviours.</summary>
public class LazyTests
{
    private static async ValueTask Test(string label, FiberLazy<int> v)
    {
        Line($"{label}: forcing...");
        int value;
        try
        {
            value = await v.Force();
        }
        catch (Exception e)
        {
            Line($"{label}: {Describe(e)}");
            F.Check();
            return;
        }

        F.Check();
        Line($"{label}: {value}");
    }

    private static string Describe(Exception e) => e is CancelledException c
        ? $"Cancelled: {c.Reason.GetType().Name}"
        : $"{e.GetType().Name}(\"{e.Message}\")";

    private static FiberLazy<int> Calculation(FiberLazyCancel cancel, int result = 42) => new(
        async () =>
        {
            Line("calculating...");
            await F.Yield();
            Line("complete");
            return result;
        },
        cancel);

    [Fact]
    public void From_a_value()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var v = new FiberLazy<int>(7);
            Line($"HasValue {v.HasValue}");
            await Test("a", v);
        });
        Assert.Equal(["HasValue True", "a: forcing...", "a: 7"], trace);
    }

    [Fact]
    public void Two_fibers_force_it_and_it_is_computed_once()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var v = Calculation(FiberLazyCancel.Restart);
            Line($"HasValue {v.HasValue}");
            await F.Both(() => Test("a", v), () => Test("b", v));
            Line($"HasValue {v.HasValue}");
            await Test("c", v);
        });
        Assert.Equal(
            ["HasValue False", "a: forcing...", "calculating...", "b: forcing...", "complete", "a: 42", "b: 42", "HasValue True", "c: forcing...", "c: 42"],
            trace);
    }

    [Fact]
    public void A_failed_computation_is_cached_and_not_retried()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var v = new FiberLazy<int>(
                async () =>
                {
                    Line("calculating...");
                    await F.Yield();
                    throw new SimulatedException("failed");
                },
                FiberLazyCancel.Restart);
            await F.Both(() => Test("a", v), () => Test("b", v));
            await Test("c", v);
            Line($"HasValue {v.HasValue}");
        });
        Assert.Equal(
            [
                "a: forcing...", "calculating...", "b: forcing...", "a: SimulatedException(\"failed\")", "b: SimulatedException(\"failed\")",
                "c: forcing...", "c: SimulatedException(\"failed\")", "HasValue False",
            ],
            trace);
    }

    private static List<string> CancelFirstForcer(FiberLazyCancel cancel) => TraceRun.Mock(async _ =>
    {
        var v = Calculation(cancel);
        await F.Both(
            async () =>
            {
                int x = await F.First(
                    async () =>
                    {
                        await Test("a", v);
                        throw new InvalidOperationException("unreachable");
                    },
                    () => ValueTask.FromResult(5));
                Line($"a: {x}");
            },
            () => Test("b", v));
    });

    [Fact]
    public void Record_caches_the_cancellation_for_everyone()
    {
        Assert.Equal(
            ["a: forcing...", "calculating...", "b: forcing...", "a: Cancelled: NotFirstException", "b: Cancelled: NotFirstException", "a: 5"],
            CancelFirstForcer(FiberLazyCancel.Record));
    }

    [Fact]
    public void Protect_lets_the_first_computation_finish()
    {
        Assert.Equal(
            ["a: forcing...", "calculating...", "b: forcing...", "complete", "b: 42", "a: 5"],
            CancelFirstForcer(FiberLazyCancel.Protect));
    }

    [Fact]
    public void Restart_makes_the_next_waiter_compute_again()
    {
        Assert.Equal(
            ["a: forcing...", "calculating...", "b: forcing...", "a: Cancelled: NotFirstException", "calculating...", "a: 5", "complete", "b: 42"],
            CancelFirstForcer(FiberLazyCancel.Restart));
    }

    [Fact]
    public void Restart_after_a_cancellation_with_no_waiter_recomputes_on_the_next_force()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var v = Calculation(FiberLazyCancel.Restart);
            try
            {
                await Cancel.Sub(async scope =>
                {
                    await F.Both(() => Test("a", v), () =>
                    {
                        scope.Cancel(new StopException());
                        return ValueTask.CompletedTask;
                    });
                });
            }
            catch (CancelledException)
            {
                Line("sub cancelled");
            }

            Line($"HasValue {v.HasValue}");
            await Test("b", v);
        });
        Assert.Equal(
            ["a: forcing...", "calculating...", "a: Cancelled: StopException", "sub cancelled", "HasValue False", "b: forcing...", "calculating...", "complete", "b: 42"],
            trace);
    }

    [Fact]
    public void A_waiter_cancelled_while_waiting_does_not_disturb_the_computation()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var v = Calculation(FiberLazyCancel.Record);
            await F.Both(
                () => Test("a", v),
                async () =>
                {
                    int x = await F.First(
                        async () =>
                        {
                            await Test("b", v);
                            return 0;
                        },
                        () => ValueTask.FromResult(5));
                    Line($"b: {x}");
                });
            await Test("c", v);
        });
        Assert.Equal(
            ["a: forcing...", "calculating...", "b: forcing...", "complete", "a: 42", "b: Cancelled: NotFirstException", "b: 5", "c: forcing...", "c: 42"],
            trace);
    }

    [Fact]
    public void Unknown_cancel_mode_is_rejected()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new FiberLazy<int>(() => ValueTask.FromResult(1), (FiberLazyCancel)42));
        Assert.Equal("cancel", e.ParamName);
    }
}
