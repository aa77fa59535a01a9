using Bridge.Fibers;
using F = Bridge.Fibers.Fiber;

namespace Bridge.Fiber.Tests.Sync;

/// <summary>
/// The hot paths allocate nothing in steady state (DESIGN.md §7), measured with the loop thread's allocation counter
/// rather than timings. The rounds are split into windows after a warm-up and the quietest window must allocate zero
/// bytes: a real per-operation allocation shows in every window, one-off runtime work (tiering) in one at most.
/// </summary>
public class AllocationTests
{
    private const int Warmup = 500;
    private const int Window = 500;
    private const int Windows = 4;

    /// <summary>Runs <paramref name="round"/> through the warm-up and the windows; returns the smallest window's bytes.</summary>
    private static async ValueTask<long> QuietestWindow(Func<int, ValueTask> round)
    {
        for (int i = 0; i < Warmup; i++)
        {
            await round(i);
        }

        long quietest = long.MaxValue;
        for (int w = 0; w < Windows; w++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < Window; i++)
            {
                await round(i);
            }

            quietest = Math.Min(quietest, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return quietest;
    }

    [Fact]
    public void Uncontended_mutex_lock_and_unlock_allocate_nothing()
    {
        long allocated = F.RunMock(async _ =>
        {
            var mutex = new FiberMutex();
            return await QuietestWindow(async _ =>
            {
                await mutex.Lock();
                mutex.Unlock();
            });
        });
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Semaphore_acquire_and_release_without_waiting_allocate_nothing()
    {
        long allocated = F.RunMock(async _ =>
        {
            var sem = new FiberSemaphore(1);
            return await QuietestWindow(async _ =>
            {
                await sem.Acquire();
                sem.Release();
            });
        });
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Yield_allocates_nothing()
    {
        // While it waits the fiber keeps only the async method's box (the builder's box invoker is recognised once per
        // process): a per-await holder or delegate would show here. One async method for all rounds, as below.
        long allocated = F.RunMock(async _ =>
        {
            long quietest = long.MaxValue;
            long before = 0;
            for (int i = 0; i < Warmup + (Window * Windows); i++)
            {
                if (i >= Warmup && (i - Warmup) % Window == 0)
                {
                    before = GC.GetAllocatedBytesForCurrentThread();
                }

                await F.Yield();
                if (i >= Warmup && (i - Warmup) % Window == Window - 1)
                {
                    quietest = Math.Min(quietest, GC.GetAllocatedBytesForCurrentThread() - before);
                }
            }

            return quietest;
        });
        Assert.Equal(0, allocated);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Stream_ping_pong_of_a_value_type_allocates_nothing(int capacity)
    {
        long allocated = F.RunMock(async _ =>
        {
            var ping = new FiberStream<int>(capacity);
            var pong = new FiberStream<int>(capacity);
            long quietest = 0;
            long sum = 0;
            const int total = Warmup + (Window * Windows);
            await F.Both(
                async () =>
                {
                    for (int i = 0; i < total; i++)
                    {
                        await pong.Add(await ping.Take());
                    }
                },
                async () =>
                {
                    // One async method for all rounds: an async method that suspends allocates its state machine once
                    // per call, which would otherwise be measured here.
                    quietest = long.MaxValue;
                    long before = 0;
                    for (int i = 0; i < total; i++)
                    {
                        if (i >= Warmup && (i - Warmup) % Window == 0)
                        {
                            before = GC.GetAllocatedBytesForCurrentThread();
                        }

                        await ping.Add(i);
                        sum += await pong.Take();
                        if (i >= Warmup && (i - Warmup) % Window == Window - 1)
                        {
                            quietest = Math.Min(quietest, GC.GetAllocatedBytesForCurrentThread() - before);
                        }
                    }
                });
            Assert.Equal((long)total * (total - 1) / 2, sum);
            return quietest;
        });
        Assert.Equal(0, allocated);
    }
}
