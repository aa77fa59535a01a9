using Bridge.Fibers;
using F = Bridge.Fibers.Fiber;

namespace Bridge.Fiber.Tests.Sync;

/// <summary>
/// Seeded random stress under <c>Fiber.RunMock</c>: many fibers using a primitive while a chaos fiber cancels their waits
/// at random. Each run is deterministic (the same seed gives the same event log) and must conserve what it moves: stream
/// items, semaphore tokens, mutex ownership.
/// </summary>
public class SyncStressTests
{
    /// <summary>Wraps operations in cancellable scopes and cancels random live ones, yielding randomly in between.</summary>
    private sealed class Chaos(Random rng)
    {
        private readonly List<CancelScope> _active = [];

        public int Cancels { get; private set; }

        public async ValueTask<T> Cancellable<T>(Func<ValueTask<T>> operation) => await Cancel.Sub(async scope =>
        {
            _active.Add(scope);
            try
            {
                return await operation();
            }
            finally
            {
                _active.Remove(scope);
            }
        });

        /// <summary>Runs as a daemon: stops when cancelled because only daemons are left.</summary>
        public async ValueTask Run()
        {
            while (true)
            {
                await YieldRandomly(rng, 4);
                if (_active.Count > 0 && rng.Next(3) == 0)
                {
                    _active[rng.Next(_active.Count)].Cancel(new StopException());
                    Cancels++;
                }
            }
        }
    }

    private static async ValueTask YieldRandomly(Random rng, int max = 3)
    {
        for (int i = rng.Next(max); i > 0; i--)
        {
            await F.Yield();
        }
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(0, 2)]
    [InlineData(0, 3)]
    [InlineData(1, 4)]
    [InlineData(1, 5)]
    [InlineData(1, 6)]
    [InlineData(5, 7)]
    [InlineData(5, 8)]
    [InlineData(5, 9)]
    public void Stream_items_are_taken_exactly_once_or_reported_not_added(int capacity, int seed)
    {
        var first = RunStreamStress(capacity, seed);
        var second = RunStreamStress(capacity, seed);
        Assert.Equal(first, second);
    }

    private static List<string> RunStreamStress(int capacity, int seed)
    {
        const int producers = 4;
        const int consumers = 3;
        const int perProducer = 150;
        var rng = new Random(seed);
        var chaos = new Chaos(rng);
        var added = new HashSet<int>();
        var notAdded = new HashSet<int>();
        var taken = new List<int>();
        var log = new List<string>();
        int cancelledTakes = 0;
        F.RunMock(async _ =>
        {
            var stream = new FiberStream<int>(capacity);
            await Switch.Run(async sw =>
            {
                F.ForkDaemon(sw, chaos.Run);
                for (int c = 0; c < consumers; c++)
                {
                    int consumer = c;
                    F.Fork(sw, async () =>
                    {
                        while (true)
                        {
                            int item;
                            try
                            {
                                item = rng.Next(2) == 0
                                    ? await stream.Take()
                                    : await chaos.Cancellable(async () => await stream.Take());
                            }
                            catch (CancelledException) when (!F.IsCancelled)
                            {
                                cancelledTakes++;
                                log.Add($"c{consumer} take cancelled");
                                continue;
                            }

                            if (item < 0)
                            {
                                log.Add($"c{consumer} stops");
                                return;
                            }

                            Assert.True(stream.Count <= capacity);
                            taken.Add(item);
                            log.Add($"c{consumer} took {item}");
                            await YieldRandomly(rng);
                        }
                    });
                }

                await F.Iter(Enumerable.Range(0, producers), async p =>
                {
                    for (int k = 0; k < perProducer; k++)
                    {
                        int id = (p * 1000) + k;
                        try
                        {
                            if (rng.Next(2) == 0)
                            {
                                await stream.Add(id);
                            }
                            else
                            {
                                await chaos.Cancellable(async () =>
                                {
                                    await stream.Add(id);
                                    return 0;
                                });
                            }

                            added.Add(id);
                            log.Add($"p{p} added {id}");
                        }
                        catch (CancelledException) when (!F.IsCancelled)
                        {
                            notAdded.Add(id);
                            log.Add($"p{p} add of {id} cancelled");
                        }

                        await YieldRandomly(rng);
                    }
                });

                for (int c = 0; c < consumers; c++)
                {
                    await stream.Add(-1);
                }
            });
            Assert.Equal(0, stream.Count);
            Assert.False(stream.TryTake(out int _));
        });

        Assert.Equal(producers * perProducer, added.Count + notAdded.Count);
        Assert.Empty(added.Intersect(notAdded));
        Assert.Equal(taken.Count, taken.Distinct().Count());
        Assert.True(added.SetEquals(taken), "every added item is taken exactly once, and nothing else is");
        Assert.True(notAdded.Count > 0 && cancelledTakes > 0, "the run exercised cancellation of both sides");
        log.Add($"cancels {chaos.Cancels}");
        return log;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Semaphore_tokens_are_conserved(int seed)
    {
        Assert.Equal(RunSemaphoreStress(seed), RunSemaphoreStress(seed));
    }

    private static List<string> RunSemaphoreStress(int seed)
    {
        const int tokens = 3;
        const int workers = 12;
        const int rounds = 60;
        var rng = new Random(seed);
        var chaos = new Chaos(rng);
        var log = new List<string>();
        int held = 0;
        int maxHeld = 0;
        int acquired = 0;
        int cancelled = 0;
        F.RunMock(async _ =>
        {
            var sem = new FiberSemaphore(tokens);
            await Switch.Run(async sw =>
            {
                F.ForkDaemon(sw, chaos.Run);
                await F.Iter(Enumerable.Range(0, workers), async w =>
                {
                    for (int r = 0; r < rounds; r++)
                    {
                        try
                        {
                            if (rng.Next(2) == 0)
                            {
                                await sem.Acquire();
                            }
                            else
                            {
                                await chaos.Cancellable(async () =>
                                {
                                    await sem.Acquire();
                                    return 0;
                                });
                            }
                        }
                        catch (CancelledException) when (!F.IsCancelled)
                        {
                            cancelled++;
                            log.Add($"w{w} cancelled");
                            continue;
                        }

                        held++;
                        acquired++;
                        maxHeld = Math.Max(maxHeld, held);
                        Assert.True(held <= tokens, "more holders than tokens");
                        Assert.True(sem.Value >= 0 && sem.Value + held <= tokens, "a token was created");
                        log.Add($"w{w} holds ({held})");
                        await YieldRandomly(rng);
                        held--;
                        sem.Release();
                    }
                });
            });
            Assert.Equal(tokens, sem.Value);
        });

        Assert.Equal(workers * rounds, acquired + cancelled);
        Assert.Equal(tokens, maxHeld);
        Assert.True(cancelled > 0, "the run exercised cancellation");
        return log;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Mutex_is_never_held_twice(int seed)
    {
        Assert.Equal(RunMutexStress(seed), RunMutexStress(seed));
    }

    private static List<string> RunMutexStress(int seed)
    {
        const int workers = 10;
        const int rounds = 60;
        var rng = new Random(seed);
        var chaos = new Chaos(rng);
        var log = new List<string>();
        int inside = 0;
        int entered = 0;
        int cancelled = 0;
        int busy = 0;

        async ValueTask<int> Critical(string who)
        {
            inside++;
            try
            {
                Assert.Equal(1, inside);
                entered++;
                log.Add($"{who} inside");
                await YieldRandomly(rng);
                return 0;
            }
            finally
            {
                inside--;
            }
        }

        F.RunMock(async _ =>
        {
            var mutex = new FiberMutex();
            await Switch.Run(async sw =>
            {
                F.ForkDaemon(sw, chaos.Run);
                await F.Iter(Enumerable.Range(0, workers), async w =>
                {
                    for (int r = 0; r < rounds; r++)
                    {
                        string who = $"w{w}";
                        try
                        {
                            switch (rng.Next(5))
                            {
                                case 0:
                                    await mutex.Lock();
                                    try
                                    {
                                        await Critical(who);
                                    }
                                    finally
                                    {
                                        mutex.Unlock();
                                    }

                                    break;
                                case 1:
                                    await chaos.Cancellable(async () =>
                                    {
                                        await mutex.Lock();
                                        try
                                        {
                                            return await Critical(who);
                                        }
                                        finally
                                        {
                                            mutex.Unlock();
                                        }
                                    });
                                    break;
                                case 2:
                                    await chaos.Cancellable(() => mutex.UseRw(() => Critical(who), protect: true));
                                    break;
                                case 3:
                                    await chaos.Cancellable(() => mutex.UseRo(() => Critical(who)));
                                    break;
                                default:
                                    if (mutex.TryLock())
                                    {
                                        try
                                        {
                                            await Critical(who);
                                        }
                                        finally
                                        {
                                            mutex.Unlock();
                                        }
                                    }
                                    else
                                    {
                                        busy++;
                                    }

                                    break;
                            }
                        }
                        catch (CancelledException) when (!F.IsCancelled)
                        {
                            cancelled++;
                            log.Add($"{who} cancelled");
                        }

                        await YieldRandomly(rng);
                    }
                });
            });
            Assert.False(mutex.IsLocked);
            Assert.True(mutex.TryLock(), "not poisoned");
            mutex.Unlock();
        });

        Assert.Equal(0, inside);
        Assert.True(entered > workers * rounds / 2);
        Assert.True(cancelled > 0 && busy > 0, "the run exercised cancellation and a busy TryLock");
        return log;
    }
}
