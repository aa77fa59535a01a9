using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Bridge.Benchmarks.Quick;
using Bridge.Fibers;
using Bridge.Tasks;

namespace Bridge.Benchmarks.FiberSync;

/// <summary>Quick rows for the fiber synchronisation primitives against their .NET counterparts on the same loop.</summary>
public sealed class FiberSyncQuick : IQuickScenarioSource
{
    private const int StreamItems = 200_000;
    private const int MutexOps = 2_000_000;

    public IEnumerable<QuickScenario> Scenarios()
    {
        yield return new QuickScenario("fiber stream cap 1 ping-pong (vs Channel bounded(1))", StreamItems,
            () => FiberSyncWorkloads.StreamPingPong(StreamItems),
            () => FiberSyncWorkloads.ChannelPingPong(StreamItems));
        yield return new QuickScenario("fiber stream cap 1 ping-pong, opt-in FiberMethodBuilder (vs Channel bounded(1))", StreamItems,
            () => FiberSyncWorkloads.StreamPingPongOptIn(StreamItems),
            () => FiberSyncWorkloads.ChannelPingPong(StreamItems));
        yield return new QuickScenario("fiber mutex uncontended lock+unlock (vs SemaphoreSlim)", MutexOps,
            () => FiberSyncWorkloads.MutexUncontended(MutexOps),
            () => FiberSyncWorkloads.SemaphoreSlimUncontended(MutexOps));
    }
}

/// <summary>The measured jobs, shared by the quick rows and the BenchmarkDotNet class.</summary>
public static class FiberSyncWorkloads
{
    public static void StreamPingPong(int items) => Fiber.RunMock(async _ =>
    {
        var stream = new FiberStream<int>(1);
        await Fiber.Both(
            async () =>
            {
                for (int i = 0; i < items; i++)
                {
                    await stream.Add(i);
                }
            },
            async () =>
            {
                long sum = 0;
                for (int i = 0; i < items; i++)
                {
                    sum += await stream.Take();
                }

                GC.KeepAlive(sum);
            });
    });

    /// <summary><see cref="StreamPingPong"/> with both sides built by the opt-in <see cref="FiberMethodBuilder"/>.</summary>
    public static void StreamPingPongOptIn(int items) => Fiber.RunMock(async _ =>
    {
        var stream = new FiberStream<int>(1);
        await Fiber.Both(
            [AsyncMethodBuilder(typeof(FiberMethodBuilder))] async ValueTask () =>
            {
                for (int i = 0; i < items; i++)
                {
                    await stream.Add(i);
                }
            },
            [AsyncMethodBuilder(typeof(FiberMethodBuilder))] async ValueTask () =>
            {
                long sum = 0;
                for (int i = 0; i < items; i++)
                {
                    sum += await stream.Take();
                }

                GC.KeepAlive(sum);
            });
    });

    public static void ChannelPingPong(int items) => TaskLoop.Run(async () =>
    {
        var channel = Channel.CreateBounded<int>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });
        async Task Produce()
        {
            for (int i = 0; i < items; i++)
            {
                await channel.Writer.WriteAsync(i);
            }
        }

        async Task Consume()
        {
            long sum = 0;
            for (int i = 0; i < items; i++)
            {
                sum += await channel.Reader.ReadAsync();
            }

            GC.KeepAlive(sum);
        }

        await Task.WhenAll(Produce(), Consume());
    });

    public static void MutexUncontended(int ops) => Fiber.RunMock(async _ =>
    {
        var mutex = new FiberMutex();
        for (int i = 0; i < ops; i++)
        {
            await mutex.Lock();
            mutex.Unlock();
        }
    });

    public static void SemaphoreSlimUncontended(int ops) => TaskLoop.Run(async () =>
    {
        using var semaphore = new SemaphoreSlim(1, 1);
        for (int i = 0; i < ops; i++)
        {
            await semaphore.WaitAsync();
            semaphore.Release();
        }
    });
}
