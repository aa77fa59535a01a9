using Bridge.Fibers;
using F = Bridge.Fibers.Fiber;

namespace Bridge.Fiber.Tests.Sync;

/// <summary>
/// Tens of thousands of fibers on one switch share a stream and a semaphore while random cancellations hit their
/// waits: when <c>Switch.Run</c> returns every fiber has finished, every release hook ran once, and no item or token was
/// lost or duplicated. (Most of the time goes into the thousands of cancellation exceptions.)
/// </summary>
public class ManyFibersStressTests
{
    [Fact]
    public void Ten_thousand_fibers_conserve_items_and_tokens()
    {
        const int fibers = 10_000;
        const int tokens = 8;
        const int hooks = 100;
        var rng = new Random(2024);
        var active = new ActiveScopes();
        int finished = 0;
        int hooksRan = 0;
        int added = 0;
        int notAdded = 0;
        int taken = 0;
        int cancelledTakes = 0;
        int held = 0;
        int leftover = 0;
        var seen = new bool[fibers];
        FiberSemaphore? sem = null;

        async ValueTask<T> Cancellable<T>(Func<ValueTask<T>> operation) => await Cancel.Sub(async scope =>
        {
            active.Add(scope);
            try
            {
                return await operation();
            }
            finally
            {
                active.Remove(scope);
            }
        });

        F.RunMock(async _ =>
        {
            var stream = new FiberStream<int>(5);
            sem = new FiberSemaphore(tokens);
            await Switch.Run(async sw =>
            {
                for (int h = 0; h < hooks; h++)
                {
                    sw.OnRelease(() => hooksRan++);
                }

                F.ForkDaemon(sw, async () =>
                {
                    while (true)
                    {
                        await F.Yield();
                        for (int k = active.Count / 20; k >= 0 && active.Count > 0; k--)
                        {
                            active.Random(rng).Cancel(new StopException());
                        }
                    }
                });

                for (int i = 0; i < fibers; i++)
                {
                    int id = i;
                    bool producer = rng.Next(2) == 0;
                    F.Fork(sw, async () =>
                    {
                        try
                        {
                            await Cancellable(async () =>
                            {
                                await sem.Acquire();
                                return 0;
                            });
                            held++;
                            Assert.True(held <= tokens);
                            await F.Yield();
                            held--;
                            sem.Release();
                        }
                        catch (CancelledException) when (!F.IsCancelled)
                        {
                        }

                        try
                        {
                            if (producer)
                            {
                                await Cancellable(async () =>
                                {
                                    await stream.Add(id);
                                    return 0;
                                });
                                added++;
                            }
                            else
                            {
                                int item = await Cancellable(async () => await stream.Take());
                                Assert.False(seen[item], "an item was taken twice");
                                seen[item] = true;
                                taken++;
                            }
                        }
                        catch (CancelledException) when (!F.IsCancelled)
                        {
                            if (producer)
                            {
                                notAdded++;
                            }
                            else
                            {
                                cancelledTakes++;
                            }
                        }

                        finished++;
                    });
                }
            });

            while (stream.TryTake(out int item))
            {
                Assert.False(seen[item], "an item was taken twice");
                seen[item] = true;
                leftover++;
            }
        });

        Assert.Equal(fibers, finished);
        Assert.Equal(hooks, hooksRan);
        Assert.Equal(0, held);
        Assert.Equal(tokens, sem!.Value);
        Assert.Equal(added, taken + leftover);
        Assert.Equal(added, seen.Count(s => s));
        Assert.True(notAdded > 0 && cancelledTakes > 0 && taken > 0);
    }

    /// <summary>The scopes of waits in progress: O(1) add, remove and random pick.</summary>
    private sealed class ActiveScopes
    {
        private readonly List<CancelScope> _list = [];
        private readonly Dictionary<CancelScope, int> _index = [];

        public int Count => _list.Count;

        public void Add(CancelScope scope)
        {
            _index[scope] = _list.Count;
            _list.Add(scope);
        }

        public void Remove(CancelScope scope)
        {
            int i = _index[scope];
            var last = _list[^1];
            _list[i] = last;
            _index[last] = i;
            _list.RemoveAt(_list.Count - 1);
            _index.Remove(scope);
        }

        public CancelScope Random(Random rng) => _list[rng.Next(_list.Count)];
    }
}
