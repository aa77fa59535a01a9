using Bridge.Fibers;
using static Bridge.Fibers.Trace;
using F = Bridge.Fibers.Fiber;

namespace Bridge.Fiber.Tests.Sync;

/// <summary>FiberCondition: Eio's condition.md behaviours.</summary>
public class ConditionTests
{
    [Fact]
    public void Broadcast_wakes_a_waiter_without_switching()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var condition = new FiberCondition();
            await F.Both(
                async () =>
                {
                    Line("1: wait for condition");
                    await condition.AwaitNoMutex();
                    Line("1: finished");
                },
                () =>
                {
                    Line("2: broadcast condition");
                    condition.Broadcast();
                    Line("2: finished");
                    return ValueTask.CompletedTask;
                });
        });
        Assert.Equal(["1: wait for condition", "2: broadcast condition", "2: finished", "1: finished"], trace);
    }

    [Fact]
    public void Broadcast_with_no_waiters_is_a_no_op()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var condition = new FiberCondition();
            Line("broadcast condition");
            condition.Broadcast();
            Line("finished");
            await F.Both(
                async () =>
                {
                    Line("waiting after the broadcast");
                    await condition.AwaitNoMutex();
                    Line("woken by the second broadcast");
                },
                () =>
                {
                    Line("broadcasting again");
                    condition.Broadcast();
                    return ValueTask.CompletedTask;
                });
        });
        Assert.Equal(["broadcast condition", "finished", "waiting after the broadcast", "broadcasting again", "woken by the second broadcast"], trace);
    }

    [Fact]
    public void Broadcast_wakes_all_waiters_in_order()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var condition = new FiberCondition();
            Func<ValueTask> Waiter(int n) => async () =>
            {
                Line($"{n}: wait for condition");
                await condition.AwaitNoMutex();
                Line($"{n}: finished");
            };
            await F.All(
                Waiter(1),
                Waiter(2),
                () =>
                {
                    Line("3: broadcast condition");
                    condition.Broadcast();
                    Line("3: finished");
                    return ValueTask.CompletedTask;
                });
        });
        Assert.Equal(["1: wait for condition", "2: wait for condition", "3: broadcast condition", "3: finished", "1: finished", "2: finished"], trace);
    }

    [Fact]
    public void Broadcast_only_wakes_current_waiters()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var condition = new FiberCondition();
            await Switch.Run(async sw =>
            {
                F.Fork(sw, async () =>
                {
                    await condition.AwaitNoMutex();
                    Line("a: woken; waiting again");
                    await condition.AwaitNoMutex();
                    Line("a: woken again");
                });
                condition.Broadcast();
                await F.Yield();
                Line("main: second broadcast");
                condition.Broadcast();
            });
        });
        Assert.Equal(["a: woken; waiting again", "main: second broadcast", "a: woken again"], trace);
    }

    [Fact]
    public void Typical_single_loop_use_without_a_mutex()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            int x = 0;
            var cond = new FiberCondition();
            void Set(int value)
            {
                x = value;
                cond.Broadcast();
            }

            async ValueTask Await(Func<int, bool> p)
            {
                while (!p(x))
                {
                    await cond.AwaitNoMutex();
                }
            }

            await F.Both(
                async () =>
                {
                    Line($"x = {x}");
                    await Await(v => v == 42);
                    Line($"x = {x}");
                },
                async () =>
                {
                    Set(5);
                    await F.Yield();
                    Set(7);
                    Set(42);
                });

            // Cancellation while waiting leaves the condition usable.
            await F.First(
                async () =>
                {
                    await Await(v => v == 0);
                    throw new InvalidOperationException("unreachable");
                },
                () => ValueTask.FromResult(default(Unit)));
            await F.Both(
                async () =>
                {
                    Line($"x = {x}");
                    await Await(v => v == 0);
                    Line($"x = {x}");
                },
                async () =>
                {
                    Set(5);
                    await F.Yield();
                    Set(0);
                });
        });
        Assert.Equal(["x = 0", "x = 42", "x = 42", "x = 0"], trace);
    }

    [Fact]
    public void Typical_use_with_a_mutex()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            int x = 0;
            var cond = new FiberCondition();
            var mutex = new FiberMutex();
            async ValueTask Set(int value)
            {
                await mutex.UseRw(
                    () =>
                    {
                        x = value;
                        return ValueTask.CompletedTask;
                    },
                    protect: false);
                cond.Broadcast();
            }

            ValueTask Await(Func<int, bool> p) => mutex.UseRo(async () =>
            {
                while (!p(x))
                {
                    await cond.Await(mutex);
                }
            });

            await F.Both(
                async () =>
                {
                    Line($"x = {x}");
                    await Await(v => v == 42);
                    Line($"x = {x}");
                },
                async () =>
                {
                    await Set(5);
                    await F.Yield();
                    await Set(7);
                    await Set(42);
                });

            await F.First(
                async () =>
                {
                    await Await(v => v == 0);
                    throw new InvalidOperationException("unreachable");
                },
                () => ValueTask.FromResult(default(Unit)));
            Line($"mutex locked after the cancelled wait: {mutex.IsLocked}");
            await F.Both(
                async () =>
                {
                    Line($"x = {x}");
                    await Await(v => v == 0);
                    Line($"x = {x}");
                },
                async () =>
                {
                    await Set(5);
                    await F.Yield();
                    await Set(0);
                });
        });
        Assert.Equal(["x = 0", "x = 42", "mutex locked after the cancelled wait: False", "x = 42", "x = 0"], trace);
    }

    [Fact]
    public void Await_relocks_non_cancellably_when_cancelled()
    {
        var trace = TraceRun.MockCatching(async _ =>
        {
            var cond = new FiberCondition();
            var mutex = new FiberMutex();
            await Switch.Run(async sw =>
            {
                F.Fork(sw, async () =>
                {
                    Line("Forked fiber locking");
                    await mutex.Lock();
                    try
                    {
                        await cond.Await(mutex);
                        throw new InvalidOperationException("unreachable");
                    }
                    catch (CancelledException)
                    {
                        Line($"Forked fiber unlocking (holds the lock: {mutex.IsLocked})");
                        mutex.Unlock();
                        throw;
                    }
                });
                await Cancel.Protect(async () =>
                {
                    Line("Main fiber locking");
                    await mutex.Lock();
                    sw.Fail(new SimulatedException());
                    await F.Yield();
                    Line("Main fiber unlocking");
                    mutex.Unlock();
                });
            });
        });
        Assert.Equal(
            [
                "Forked fiber locking", "Main fiber locking", "Main fiber unlocking", "Forked fiber unlocking (holds the lock: True)",
                "Exception: SimulatedException: Simulated error",
            ],
            trace);
    }

    [Fact]
    public void Await_registers_before_unlocking_so_a_broadcast_by_the_next_holder_is_not_missed()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var cond = new FiberCondition();
            var mutex = new FiberMutex();
            await mutex.Lock();
            await Switch.Run(async sw =>
            {
                F.Fork(sw, async () =>
                {
                    Line("b: waiting for the mutex");
                    await mutex.Lock();
                    Line("b: got the mutex; broadcasting");
                    cond.Broadcast();
                    mutex.Unlock();
                });
                Line("a: awaiting the condition");
                await cond.Await(mutex);
                Line($"a: woken, holding the mutex: {mutex.IsLocked}");
                mutex.Unlock();
            });
        });
        Assert.Equal(
            ["b: waiting for the mutex", "a: awaiting the condition", "b: got the mutex; broadcasting", "a: woken, holding the mutex: True"],
            trace);
    }

    [Fact]
    public void Await_without_holding_the_mutex_fails_the_waiter_and_poisons_the_mutex()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var cond = new FiberCondition();
            var mutex = new FiberMutex();
            try
            {
                await cond.Await(mutex);
                Line("not reached");
            }
            catch (Exception e)
            {
                Line($"{e.GetType().Name}: {e.Message}");
            }

            cond.Broadcast();
            await F.Yield();
            Line($"TryLock: {Assert.Throws<PoisonedException>(() => mutex.TryLock()).InnerException!.Message}");
        });
        Assert.Equal(
            [
                "PoisonedException: Mutex poisoned by InvalidOperationException: FiberMutex.Unlock: already unlocked!",
                "TryLock: FiberMutex.Unlock: already unlocked!",
            ],
            trace);
    }

    [Fact]
    public void Await_in_a_cancelled_context_unlocks_relocks_and_throws()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var cond = new FiberCondition();
            var mutex = new FiberMutex();
            await mutex.Lock();
            await Switch.Run(async sw =>
            {
                F.Fork(sw, async () =>
                {
                    Line("b: waiting for the mutex");
                    await mutex.Lock();
                    Line("b: got the mutex");
                    mutex.Unlock();
                });
                await Cancel.Sub(async scope =>
                {
                    scope.Cancel(new StopException());
                    try
                    {
                        await cond.Await(mutex);
                    }
                    catch (CancelledException e)
                    {
                        Line($"a: {e.Message}; holding the mutex: {mutex.IsLocked}");
                        mutex.Unlock();
                    }
                });
            });
        });
        Assert.Equal(
            ["b: waiting for the mutex", "b: got the mutex", "a: Cancelled: StopException: stop; holding the mutex: True"],
            trace);
    }

    [Fact]
    public void AwaitNoMutex_is_cancellable_and_a_cancelled_waiter_misses_later_broadcasts()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var cond = new FiberCondition();
            await Switch.Run(async sw =>
            {
                CancelScope? scope = null;
                F.Fork(sw, () => Cancel.Sub(async s =>
                {
                    scope = s;
                    try
                    {
                        await cond.AwaitNoMutex();
                    }
                    catch (CancelledException e)
                    {
                        Line($"a: {e.Message}");
                    }
                }));
                F.Fork(sw, async () =>
                {
                    await cond.AwaitNoMutex();
                    Line("b: woken");
                });
                scope!.Cancel(new StopException());
                cond.Broadcast();
                Line("main: broadcast");
            });
        });
        Assert.Equal(["main: broadcast", "a: Cancelled: StopException: stop", "b: woken"], trace);
    }

    [Fact]
    public void LoopNoMutex_reruns_until_the_update_succeeds()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var cond = new FiberCondition();
            int x = 0;
            void Set(int v)
            {
                Line($"setting x={v}");
                x = v;
                cond.Broadcast();
            }

            await F.Both(
                () => cond.LoopNoMutex(() =>
                {
                    Line($"Saw x = {x}");
                    return x == 3;
                }),
                async () =>
                {
                    for (int v = 1; v <= 4; v++)
                    {
                        Set(v);
                        await F.Yield();
                    }
                });
        });
        Assert.Equal(
            ["Saw x = 0", "setting x=1", "Saw x = 1", "setting x=2", "Saw x = 2", "setting x=3", "Saw x = 3", "setting x=4"],
            trace);
    }

    [Fact]
    public void LoopNoMutex_reruns_for_a_broadcast_that_arrives_during_the_update()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var cond = new FiberCondition();
            int runs = 0;
            await F.Both(
                async () =>
                {
                    await cond.LoopNoMutex(() =>
                    {
                        runs++;
                        Line($"update {runs}");
                        if (runs == 1)
                        {
                            cond.Broadcast(); // a change made while checking
                        }

                        return runs == 2;
                    });
                    Line("done");
                },
                () =>
                {
                    Line("other fiber runs"); // the loop went to the back of the run queue once
                    return ValueTask.CompletedTask;
                });
        });
        Assert.Equal(["update 1", "other fiber runs", "update 2", "done"], trace);
    }

    [Fact]
    public void LoopNoMutex_with_an_update_that_switches_fibers_sees_broadcasts_made_meanwhile()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var cond = new FiberCondition();
            int x = 0;
            void Set(int v)
            {
                Line($"setting x={v}");
                x = v;
                cond.Broadcast();
            }

            await F.Both(
                () => cond.LoopNoMutex(async () =>
                {
                    Line("Checking x...");
                    await F.Yield();
                    int seen = x;
                    Line($"Saw x = {seen}");
                    if (seen == 3)
                    {
                        Line("Finished");
                        return true;
                    }

                    return false;
                }),
                async () =>
                {
                    for (int v = 1; v <= 4; v++)
                    {
                        Set(v);
                        await F.Yield();
                    }
                });
        });
        Assert.Equal(
            ["Checking x...", "setting x=1", "Saw x = 1", "setting x=2", "Checking x...", "setting x=3", "Saw x = 3", "Finished", "setting x=4"],
            trace);
    }

    [Fact]
    public void LoopNoMutex_is_cancelled_while_waiting()
    {
        var trace = TraceRun.MockCatching(async _ =>
        {
            var cond = new FiberCondition();
            await F.Both(
                () => cond.LoopNoMutex(() =>
                {
                    Line("Checking");
                    return false;
                }),
                () => throw new SimulatedException());
        });
        Assert.Equal(["Checking", "Exception: SimulatedException: Simulated error"], trace);
    }

    [Fact]
    public void LoopNoMutex_woken_then_cancelled_checks_once_more()
    {
        var trace = TraceRun.MockCatching(async _ =>
        {
            var cond = new FiberCondition();
            await F.Both(
                () => cond.LoopNoMutex(() =>
                {
                    Line("Checking");
                    return false;
                }),
                () =>
                {
                    Line("Broadcasting");
                    cond.Broadcast();
                    throw new SimulatedException();
                });
        });
        Assert.Equal(["Checking", "Broadcasting", "Checking", "Exception: SimulatedException: Simulated error"], trace);
    }

    [Fact]
    public void LoopNoMutex_update_exception_propagates()
    {
        var trace = TraceRun.MockCatching(async _ =>
        {
            var cond = new FiberCondition();
            await cond.LoopNoMutex(async () =>
            {
                await F.Yield();
                throw new SimulatedException("Simulated failure");
            });
        });
        Assert.Equal(["Exception: SimulatedException: Simulated failure"], trace);
    }
}
