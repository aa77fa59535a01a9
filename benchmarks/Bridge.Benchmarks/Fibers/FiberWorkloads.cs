using System.Runtime.CompilerServices;
using Bridge.Benchmarks.Baselines;
using Bridge.Fibers;

namespace Bridge.Benchmarks.Fibers;

/// <summary>
/// The fiber workloads shared by the BenchmarkDotNet classes and the <c>--quick</c> rows, each next to its baseline:
/// the same job as <c>async Task</c> methods on <see cref="BlockingCollectionContext"/> (AsyncEx's single-thread context).
/// </summary>
public static class FiberWorkloads
{
    /// <summary><paramref name="fibers"/> fibers on one switch, each yielding <paramref name="yieldsEach"/> times.</summary>
    public static void FiberYield(int fibers, int yieldsEach) =>
        Fiber.Run(async _ => await Switch.Run(sw =>
        {
            for (int i = 0; i < fibers; i++)
            {
                Fiber.Fork(sw, async () =>
                {
                    for (int k = 0; k < yieldsEach; k++)
                    {
                        await Fiber.Yield();
                    }
                });
            }

            return ValueTask.CompletedTask;
        }));

    /// <summary><see cref="FiberYield"/> with fiber bodies built by the opt-in <see cref="FiberMethodBuilder"/>.</summary>
    public static void FiberYieldOptIn(int fibers, int yieldsEach) =>
        Fiber.Run(async _ => await Switch.Run(sw =>
        {
            for (int i = 0; i < fibers; i++)
            {
                Fiber.Fork(sw, [AsyncMethodBuilder(typeof(FiberMethodBuilder))] async ValueTask () =>
                {
                    for (int k = 0; k < yieldsEach; k++)
                    {
                        await Fiber.Yield();
                    }
                });
            }

            return ValueTask.CompletedTask;
        }));

    /// <summary>Baseline of <see cref="FiberYield"/>: async Task methods doing <c>await Task.Yield()</c> on the baseline context.</summary>
    public static void TaskYield(int tasks, int yieldsEach) =>
        BlockingCollectionContext.Run(async () =>
        {
            var all = new Task[tasks];
            for (int i = 0; i < tasks; i++)
            {
                all[i] = YieldLoop(yieldsEach);
            }

            await Task.WhenAll(all);
        });

    /// <summary>
    /// Forks fibers that each yield once and finish, <paramref name="perSwitch"/> at a time on a switch that waits for
    /// them, until <paramref name="fibers"/> have run.
    /// </summary>
    public static void FiberForkYieldOnce(int fibers, int perSwitch) =>
        Fiber.Run(async _ =>
        {
            for (int done = 0; done < fibers; done += perSwitch)
            {
                await Switch.Run(sw =>
                {
                    for (int i = 0; i < perSwitch; i++)
                    {
                        Fiber.Fork(sw, YieldOnce);
                    }

                    return ValueTask.CompletedTask;
                });
            }
        });

    /// <summary><see cref="FiberForkYieldOnce"/> with the forked bodies built by the opt-in <see cref="FiberMethodBuilder"/>.</summary>
    public static void FiberForkYieldOnceOptIn(int fibers, int perSwitch) =>
        Fiber.Run(async _ =>
        {
            for (int done = 0; done < fibers; done += perSwitch)
            {
                await Switch.Run(sw =>
                {
                    for (int i = 0; i < perSwitch; i++)
                    {
                        Fiber.Fork(sw, YieldOnceOptIn);
                    }

                    return ValueTask.CompletedTask;
                });
            }
        });

    /// <summary>
    /// Baseline of <see cref="FiberForkYieldOnce"/>: starts async Task methods that yield once, <paramref name="perWave"/>
    /// at a time, and waits for each wave.
    /// </summary>
    public static void TaskStartYieldOnce(int tasks, int perWave) =>
        BlockingCollectionContext.Run(async () =>
        {
            for (int done = 0; done < tasks; done += perWave)
            {
                var countdown = new Countdown(perWave);
                for (int i = 0; i < perWave; i++)
                {
                    _ = YieldOnceThenSignal(countdown);
                }

                await countdown.Task;
            }
        });

    private static async ValueTask YieldOnce() => await Fiber.Yield();

    [AsyncMethodBuilder(typeof(FiberMethodBuilder))]
    private static async ValueTask YieldOnceOptIn() => await Fiber.Yield();

    private static async Task YieldLoop(int yields)
    {
        for (int k = 0; k < yields; k++)
        {
            await Task.Yield();
        }
    }

    private static async Task YieldOnceThenSignal(Countdown countdown)
    {
        await Task.Yield();
        countdown.Signal();
    }

    /// <summary>Completes <see cref="Task"/> when signalled <c>count</c> times (single-threaded use).</summary>
    internal sealed class Countdown(int count)
    {
        private readonly TaskCompletionSource _done = new();
        private int _left = count;

        public Task Task => _done.Task;

        public void Signal()
        {
            if (--_left == 0)
            {
                _done.SetResult();
            }
        }
    }
}
