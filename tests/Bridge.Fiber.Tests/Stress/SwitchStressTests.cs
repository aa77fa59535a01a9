using Bridge.Fiber.Tests.Support;
using Bridge.Fibers;
using F = Bridge.Fibers.Fiber;

namespace Bridge.Fiber.Tests.Stress;

/// <summary>
/// Many fibers on one switch with seeded random yields, sleeps, failures and cancellations: when Switch.Run returns,
/// every fiber that started has finished, every release hook ran exactly once, and the error reported is the real one.
/// </summary>
public class SwitchStressTests
{
    private enum Kind
    {
        Normal,
        FailsInItsOwnSwitch,
        CancelledBySibling,
        WaitsForever,
        Sleeps,
        ForksChildren,
    }

    [Fact]
    public void A_hundred_thousand_fibers_finish_and_release_exactly_once()
    {
        var stats = RunScenario(seed: 20240601, fibers: 100_000, mainYieldsBeforeFailing: 2);
        Assert.True(stats.CompletedNormally > 10_000, $"completed {stats.CompletedNormally}");
        Assert.True(stats.Cancelled > 10_000, $"cancelled {stats.Cancelled}");
        Assert.True(stats.CaughtOwnFailures > 1_000, $"own failures {stats.CaughtOwnFailures}");
        Assert.True(stats.CancelledBySibling > 1_000, $"cancelled by sibling {stats.CancelledBySibling}");
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 1)]
    [InlineData(3, 3)]
    [InlineData(4, 5)]
    [InlineData(5, 50)]
    public void Smaller_runs_with_other_seeds_hold_the_same_invariants(int seed, int mainYieldsBeforeFailing)
    {
        RunScenario(seed, fibers: 3_000, mainYieldsBeforeFailing);
    }

    private static Stats RunScenario(int seed, int fibers, int mainYieldsBeforeFailing)
    {
        var rng = new Random(seed);
        var kinds = new Kind[fibers];
        var yields = new int[fibers];
        var sleeps = new int[fibers];
        for (int i = 0; i < fibers; i++)
        {
            int roll = rng.Next(100);
            kinds[i] = roll switch
            {
                < 55 => Kind.Normal,
                < 65 => Kind.FailsInItsOwnSwitch,
                < 75 => Kind.CancelledBySibling,
                < 82 => Kind.WaitsForever,
                < 92 => Kind.Sleeps,
                _ => Kind.ForksChildren,
            };
            yields[i] = rng.Next(4);
            sleeps[i] = rng.Next(1, 6);
        }

        var stats = new Stats();
        var started = new bool[fibers];
        var finished = new int[fibers];
        var ownHooks = new int[fibers];
        var mainHooks = new int[fibers];
        int childrenStarted = 0, childrenFinished = 0, childHooks = 0;
        var stop = new Failure("stop");
        Exception? reported = null;

        F.RunMock(async _ =>
        {
            var (never, _) = FiberPromise.Create<int>("never");
            try
            {
                await Switch.Run(async sw =>
                {
                    for (int n = 0; n < fibers; n++)
                    {
                        int i = n;
                        F.Fork(sw, async () =>
                        {
                            started[i] = true;
                            try
                            {
                                sw.OnRelease(() => mainHooks[i]++);
                                await Switch.Run(async own =>
                                {
                                    own.OnRelease(() => ownHooks[i]++);
                                    for (int y = 0; y < yields[i]; y++)
                                    {
                                        await F.Yield();
                                    }

                                    await Body(i, own);
                                });
                                stats.CompletedNormally++;
                            }
                            catch (CancelledException)
                            {
                                stats.Cancelled++;
                                throw;
                            }
                            finally
                            {
                                finished[i]++;
                            }
                        });
                    }

                    for (int y = 0; y < mainYieldsBeforeFailing; y++)
                    {
                        await F.Yield();
                    }

                    sw.Fail(stop);
                });
            }
            catch (Exception e)
            {
                reported = e;
            }

            async ValueTask Body(int i, Switch own)
            {
                switch (kinds[i])
                {
                    case Kind.FailsInItsOwnSwitch:
                        try
                        {
                            await Switch.Run(async inner =>
                            {
                                F.Fork(inner, async () => await F.AwaitCancel());
                                await F.Yield();
                                throw new Failure($"fiber {i}");
                            });
                        }
                        catch (Failure)
                        {
                            stats.CaughtOwnFailures++;
                        }

                        break;
                    case Kind.CancelledBySibling:
                        try
                        {
                            await Cancel.Sub(async scope =>
                            {
                                F.Fork(own, async () =>
                                {
                                    await F.Yield();
                                    scope.Cancel(new Exit());
                                });
                                await F.AwaitCancel();
                            });
                        }
                        catch (CancelledException e) when (e.Reason is Exit)
                        {
                            stats.CancelledBySibling++;
                        }

                        break;
                    case Kind.WaitsForever:
                        await never;
                        break;
                    case Kind.Sleeps:
                        await Time.Sleep(TimeSpan.FromMilliseconds(sleeps[i]));
                        break;
                    case Kind.ForksChildren:
                        for (int c = 0; c < 3; c++)
                        {
                            F.Fork(own, async () =>
                            {
                                childrenStarted++;
                                try
                                {
                                    own.OnRelease(() => childHooks++);
                                    await F.Yield();
                                }
                                finally
                                {
                                    childrenFinished++;
                                }
                            });
                        }

                        break;
                }
            }
        }, new FiberRunOptions { Trace = static _ => { } });

        Assert.Same(stop, reported);
        for (int i = 0; i < fibers; i++)
        {
            if (started[i])
            {
                Assert.Equal(1, finished[i]);
                Assert.Equal(1, mainHooks[i]);
                Assert.True(ownHooks[i] == 1, $"fiber {i} ({kinds[i]}) ran its own switch's hook {ownHooks[i]} times");
            }
            else
            {
                Assert.Equal(0, finished[i]);
            }
        }

        Assert.Equal(fibers, started.Count(s => s));
        Assert.Equal(childrenStarted, childrenFinished);
        Assert.Equal(childrenStarted, childHooks);
        Assert.Equal(fibers, stats.CompletedNormally + stats.Cancelled);
        return stats;
    }

    private sealed class Stats
    {
        public int CompletedNormally;
        public int Cancelled;
        public int CaughtOwnFailures;
        public int CancelledBySibling;
    }
}
