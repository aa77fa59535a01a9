using Bridge.Fibers;
using F = Bridge.Fibers.Fiber;

namespace Bridge.Fiber.Tests.Sync;

/// <summary>
/// The primitives are thread-safe across loops: fibers on different threads (each running its own loop, either a second
/// <c>Fiber.Run</c> or a <see cref="DomainManager"/> domain) share streams, mutexes and semaphores. The interleaving is
/// not deterministic, so these tests check conservation and order invariants, and every run is bounded in time.
/// </summary>
public class CrossThreadTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    /// <summary>Runs each program on its own pool thread and fails (instead of hanging) if they do not all finish in time.</summary>
    private static void RunLoops(params Action[] programs)
    {
        var tasks = programs.Select(Task.Run).ToArray();
        Assert.True(Task.WaitAll(tasks, Bound), "the loops did not finish in time");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(5)]
    public void Items_added_on_another_loop_reach_a_taker_in_order(int capacity)
    {
        const int n = 2000;
        var stream = new FiberStream<int>(capacity);
        var received = new List<int>();
        RunLoops(
            () => F.Run(async _ =>
            {
                for (int i = 0; i < n; i++)
                {
                    received.Add(await stream.Take());
                }
            }),
            () => F.Run(async _ =>
            {
                for (int i = 0; i < n; i++)
                {
                    await stream.Add(i);
                }
            }));
        Assert.Equal(Enumerable.Range(0, n), received);
        Assert.Equal(0, stream.Count);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(5)]
    public void Producers_in_other_domains_feed_a_taker_on_the_main_loop(int capacity)
    {
        const int n = 1000;
        var received = new List<(int Producer, int Item)>();
        RunLoops(() => F.Run(async env =>
        {
            var stream = new FiberStream<(int, int)>(capacity);
            Func<ValueTask> Producer(int p) => () => env.DomainManager.Run(async () =>
            {
                for (int i = 0; i < n; i++)
                {
                    await stream.Add((p, i));
                }
            });
            await F.All(
                Producer(1),
                Producer(2),
                async () =>
                {
                    for (int k = 0; k < 2 * n; k++)
                    {
                        received.Add(await stream.Take());
                    }
                });
        }));
        Assert.Equal(Enumerable.Range(0, n), received.Where(r => r.Producer == 1).Select(r => r.Item));
        Assert.Equal(Enumerable.Range(0, n), received.Where(r => r.Producer == 2).Select(r => r.Item));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void Takers_in_other_domains_share_the_items_of_a_writer_on_the_main_loop(int capacity)
    {
        const int perTaker = 1000;
        var got = new[] { new List<int>(), new List<int>() };
        RunLoops(() => F.Run(async env =>
        {
            var stream = new FiberStream<int>(capacity);
            Func<ValueTask> Taker(int t) => () => env.DomainManager.Run(async () =>
            {
                for (int i = 0; i < perTaker; i++)
                {
                    got[t].Add(await stream.Take());
                }
            });
            await F.All(
                Taker(0),
                Taker(1),
                async () =>
                {
                    for (int i = 0; i < 2 * perTaker; i++)
                    {
                        await stream.Add(i);
                    }
                });
        }));
        Assert.Equal(perTaker, got[0].Count);
        Assert.Equal(perTaker, got[1].Count);
        Assert.Equal(Enumerable.Range(0, 2 * perTaker), got[0].Concat(got[1]).Order());
        Assert.True(got[0].SequenceEqual(got[0].Order()) && got[1].SequenceEqual(got[1].Order()), "each taker sees items in FIFO order");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4)]
    public void Cancelled_adds_and_takes_on_different_loops_lose_and_duplicate_nothing(int capacity)
    {
        const int n = 1500;
        var stream = new FiberStream<int>(capacity);
        var added = new List<int>();
        var notAdded = new List<int>();
        var taken = new List<int>();
        RunLoops(
            () => F.Run(async _ =>
            {
                var chaos = new LoopChaos(new Random(1));
                await Switch.Run(async sw =>
                {
                    F.ForkDaemon(sw, chaos.Run);
                    for (int i = 0; i < n; i++)
                    {
                        try
                        {
                            await chaos.Cancellable(async () => await stream.Add(i));
                            added.Add(i);
                        }
                        catch (CancelledException) when (!F.IsCancelled)
                        {
                            notAdded.Add(i);
                        }
                    }

                    await stream.Add(-1);
                });
            }),
            () => F.Run(async _ =>
            {
                var chaos = new LoopChaos(new Random(2));
                await Switch.Run(async sw =>
                {
                    F.ForkDaemon(sw, chaos.Run);
                    while (true)
                    {
                        int item = 0;
                        try
                        {
                            await chaos.Cancellable(async () => item = await stream.Take());
                        }
                        catch (CancelledException) when (!F.IsCancelled)
                        {
                            continue; // nothing was taken: try again
                        }

                        if (item < 0)
                        {
                            return;
                        }

                        taken.Add(item);
                    }
                });
            }));
        Assert.Equal(n, added.Count + notAdded.Count);
        Assert.Equal(added, taken); // one producer: FIFO, nothing lost, nothing duplicated, nothing un-added
        Assert.Equal(0, stream.Count);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Waiters_cancelled_while_another_loop_resolves_their_promise_each_end_exactly_once(int seed)
    {
        // A resolve from another thread takes the whole waiter chain out at once while this loop cancels single waiters:
        // each waiter must end exactly once, with the value or with CancelledException, and every round must finish.
        const int rounds = 300;
        const int waiters = 8;
        var resolvers = new System.Collections.Concurrent.BlockingCollection<FiberResolver<int>>();
        int got = 0, cancelled = 0, wrong = 0;
        RunLoops(
            () => F.Run(async _ =>
            {
                var rng = new Random(seed);
                for (int round = 0; round < rounds; round++)
                {
                    var (promise, resolver) = FiberPromise.Create<int>("race");
                    var scopes = new List<CancelScope>();
                    int expected = round;
                    await Switch.Run(async sw =>
                    {
                        for (int i = 0; i < waiters; i++)
                        {
                            F.Fork(sw, async () =>
                            {
                                try
                                {
                                    int v = 0;
                                    await Cancel.Sub(async scope =>
                                    {
                                        scopes.Add(scope);
                                        v = await promise;
                                    });
                                    if (v == expected)
                                    {
                                        got++;
                                    }
                                    else
                                    {
                                        wrong++;
                                    }
                                }
                                catch (CancelledException) when (!F.IsCancelled)
                                {
                                    cancelled++;
                                }
                            });
                        }

                        resolvers.Add(resolver); // the other loop resolves it when it gets to it
                        int toCancel = rng.Next(waiters + 1);
                        while (!promise.IsResolved)
                        {
                            if (toCancel > 0 && scopes.Count > 0 && rng.Next(8) == 0)
                            {
                                var victim = scopes[rng.Next(scopes.Count)];
                                scopes.Remove(victim);
                                victim.Cancel(new StopException());
                                toCancel--;
                            }

                            await F.Yield();
                        }
                    });
                }

                resolvers.CompleteAdding();
            }),
            () =>
            {
                var rng = new Random(seed + 100);
                int round = 0;
                foreach (var resolver in resolvers.GetConsumingEnumerable())
                {
                    Thread.SpinWait(rng.Next(2000));
                    resolver.Resolve(round++);
                }
            });
        Assert.Equal(0, wrong);
        Assert.Equal(rounds * waiters, got + cancelled);
        Assert.True(got > 0 && cancelled > 0, $"both outcomes should occur (got {got}, cancelled {cancelled})");
    }

    [Fact]
    public void A_fiber_on_another_loop_can_register_a_release_hook_and_a_late_one_runs_in_the_caller()
    {
        // Eio: on_release is thread-safe. A hook registered from another domain runs at the switch's release, on the
        // switch's loop; once the switch has finished, it runs at once in the caller, which gets "Switch finished".
        var shared = new TaskCompletionSource<Switch>(TaskCreationOptions.RunContinuationsAsynchronously);
        var (registered, resolveRegistered) = FiberPromise.Create<int>("registered");
        var (finished, resolveFinished) = FiberPromise.Create<int>("finished");
        int ownerThread = 0, hookThread = 0, lateHookThread = 0, callerThread = 0;
        string? lateError = null;
        RunLoops(
            () => F.Run(async _ =>
            {
                ownerThread = Environment.CurrentManagedThreadId;
                using var external = Bridge.Runtimes.EventLoop.Current!.TrackExternalOperation();
                await Switch.Run(async sw =>
                {
                    shared.SetResult(sw);
                    await registered;
                });
                resolveFinished.Resolve(1);
            }),
            () => F.Run(async _ =>
            {
                callerThread = Environment.CurrentManagedThreadId;
                using var external = Bridge.Runtimes.EventLoop.Current!.TrackExternalOperation();
                var sw = await shared.Task;
                sw.OnRelease(() => hookThread = Environment.CurrentManagedThreadId);
                resolveRegistered.Resolve(1);
                await finished;
                try
                {
                    sw.OnRelease(() => lateHookThread = Environment.CurrentManagedThreadId);
                }
                catch (InvalidOperationException e)
                {
                    lateError = e.Message;
                }
            }));
        Assert.Equal(ownerThread, hookThread);
        Assert.Equal(callerThread, lateHookThread);
        Assert.Equal("Switch finished", lateError);
    }

    [Fact]
    public void A_mutex_shared_by_two_loops_is_never_held_twice()
    {
        const int rounds = 2000;
        var mutex = new FiberMutex();
        int inside = 0;
        int maxInside = 0;
        int counter = 0;
        Action Worker() => () => F.Run(async _ =>
        {
            for (int i = 0; i < rounds; i++)
            {
                await mutex.UseRw(
                    async () =>
                    {
                        int now = Interlocked.Increment(ref inside);
                        InterlockedMax(ref maxInside, now);
                        int seen = counter;
                        await F.Yield();
                        counter = seen + 1; // lost updates would show if two held the lock
                        Interlocked.Decrement(ref inside);
                    },
                    protect: false);
            }
        });
        RunLoops(Worker(), Worker());
        Assert.Equal(1, maxInside);
        Assert.Equal(2 * rounds, counter);
        Assert.False(mutex.IsLocked);
    }

    [Fact]
    public void A_semaphore_shared_by_three_loops_conserves_its_tokens()
    {
        const int tokens = 2;
        const int rounds = 1000;
        var sem = new FiberSemaphore(tokens);
        int held = 0;
        int maxHeld = 0;
        Action Worker() => () => F.Run(async _ =>
        {
            await F.Both(Rounds, Rounds);
        });

        async ValueTask Rounds()
        {
            for (int i = 0; i < rounds; i++)
            {
                await sem.Acquire();
                InterlockedMax(ref maxHeld, Interlocked.Increment(ref held));
                await F.Yield();
                Interlocked.Decrement(ref held);
                sem.Release();
            }
        }

        RunLoops(Worker(), Worker(), Worker());
        Assert.True(maxHeld <= tokens, $"{maxHeld} holders of {tokens} tokens");
        Assert.Equal(tokens, sem.Value);
    }

    [Fact]
    public void A_condition_broadcast_from_another_loop_wakes_a_waiter()
    {
        const int target = 500;
        int x = 0;
        var mutex = new FiberMutex();
        var cond = new FiberCondition();
        int seen = -1;
        RunLoops(
            () => F.Run(async _ =>
            {
                await mutex.UseRo(async () =>
                {
                    while (x < target)
                    {
                        await cond.Await(mutex);
                    }

                    seen = x;
                });
            }),
            () => F.Run(async _ =>
            {
                for (int i = 0; i < target; i++)
                {
                    await mutex.UseRw(
                        () =>
                        {
                            x++;
                            return ValueTask.CompletedTask;
                        },
                        protect: false);
                    cond.Broadcast();
                    await F.Yield();
                }
            }));
        Assert.Equal(target, seen);
    }

    [Fact]
    public void A_lazy_forced_from_three_loops_is_computed_once()
    {
        int computations = 0;
        var lazy = new FiberLazy<int>(async () =>
        {
            Interlocked.Increment(ref computations);
            for (int i = 0; i < 50; i++)
            {
                await F.Yield();
            }

            return 42;
        });
        var results = new int[3];
        RunLoops(
            () => F.Run(async _ => results[0] = await lazy.Force()),
            () => F.Run(async _ => results[1] = await lazy.Force()),
            () => F.Run(async _ => results[2] = await lazy.Force()));
        Assert.Equal(1, computations);
        Assert.Equal([42, 42, 42], results);
    }

    private static void InterlockedMax(ref int location, int value)
    {
        int current = Volatile.Read(ref location);
        while (value > current)
        {
            int previous = Interlocked.CompareExchange(ref location, value, current);
            if (previous == current)
            {
                return;
            }

            current = previous;
        }
    }

    /// <summary>Per-loop chaos: cancels the scope of the operation in progress now and then.</summary>
    private sealed class LoopChaos(Random rng)
    {
        private CancelScope? _active;

        public async ValueTask Cancellable(Func<ValueTask> operation) => await Cancel.Sub(async scope =>
        {
            _active = scope;
            try
            {
                await operation();
            }
            finally
            {
                _active = null;
            }
        });

        public async ValueTask Run()
        {
            while (true)
            {
                await F.Yield();
                if (_active is { } scope && rng.Next(3) == 0)
                {
                    scope.Cancel(new StopException());
                }
            }
        }
    }
}
