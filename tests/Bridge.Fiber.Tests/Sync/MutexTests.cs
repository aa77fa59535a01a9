using Bridge.Fibers;
using static Bridge.Fibers.Trace;
using F = Bridge.Fibers.Fiber;

namespace Bridge.Fiber.Tests.Sync;

/// <summary>FiberMutex: Eio's mutex.md behaviours (hand-off, poisoning, protection, try-lock).</summary>
public class MutexTests
{
    private static async ValueTask Lock(FiberMutex t, string who = "")
    {
        Line($"{who}Locking");
        await t.Lock();
        Line($"{who}Locked");
    }

    private static void Unlock(FiberMutex t, string who = "")
    {
        Line($"{who}Unlocking");
        t.Unlock();
        Line($"{who}Unlocked");
    }

    private static string Describe(Exception e) => e.InnerException is { } inner
        ? $"{e.GetType().Name}({inner.GetType().Name}: {inner.Message})"
        : $"{e.GetType().Name}: {e.Message}";

    [Fact]
    public void Lock_and_unlock_without_contention()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var t = new FiberMutex();
            await Lock(t);
            Line($"IsLocked {t.IsLocked}");
            Unlock(t);
            await Lock(t);
            Unlock(t);
            Line($"IsLocked {t.IsLocked}");
        });
        Assert.Equal(
            ["Locking", "Locked", "IsLocked True", "Unlocking", "Unlocked", "Locking", "Locked", "Unlocking", "Unlocked", "IsLocked False"],
            trace);
    }

    [Fact]
    public void Concurrent_lockers_are_handed_the_lock_in_arrival_order()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var t = new FiberMutex();
            Func<ValueTask> Body(string who) => async () =>
            {
                await Lock(t, who);
                await F.Yield();
                Unlock(t, who);
            };
            await F.All(Body("a: "), Body("b: "), Body("c: "), Body("d: "));
        });
        Assert.Equal(
            [
                "a: Locking", "a: Locked", "b: Locking", "c: Locking", "d: Locking", "a: Unlocking", "a: Unlocked",
                "b: Locked", "b: Unlocking", "b: Unlocked", "c: Locked", "c: Unlocking", "c: Unlocked",
                "d: Locked", "d: Unlocking", "d: Unlocked",
            ],
            trace);
    }

    [Fact]
    public void Unlock_hands_over_without_switching_fibers()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var t = new FiberMutex();
            await t.Lock();
            await Switch.Run(async sw =>
            {
                F.Fork(sw, async () =>
                {
                    await Lock(t, "waiter: ");
                    Unlock(t, "waiter: ");
                });
                Unlock(t, "main: ");
                Line($"main: IsLocked {t.IsLocked}, TryLock {t.TryLock()}");
                await F.Yield();
                Line($"main: after yield, IsLocked {t.IsLocked}");
            });
        });
        Assert.Equal(
            [
                "waiter: Locking", "main: Unlocking", "main: Unlocked", "main: IsLocked True, TryLock False",
                "waiter: Locked", "waiter: Unlocking", "waiter: Unlocked", "main: after yield, IsLocked False",
            ],
            trace);
    }

    [Fact]
    public void Uncontended_lock_neither_switches_nor_checks_cancellation()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var t = new FiberMutex();
            await F.Both(
                async () =>
                {
                    await Cancel.Sub(async scope =>
                    {
                        scope.Cancel(new StopException());
                        await Lock(t, "a: ");
                        Unlock(t, "a: ");
                    });
                },
                () =>
                {
                    Line("b: runs");
                    return ValueTask.CompletedTask;
                });
        });
        Assert.Equal(["a: Locking", "a: Locked", "a: Unlocking", "a: Unlocked", "b: runs"], trace);
    }

    [Fact]
    public void Contended_lock_in_a_cancelled_context_throws_at_once()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var t = new FiberMutex();
            await t.Lock();
            await Cancel.Sub(async scope =>
            {
                scope.Cancel(new StopException());
                try
                {
                    await Lock(t);
                }
                catch (CancelledException e)
                {
                    Line(e.Message);
                }
            });
            Unlock(t);
            await Lock(t);
        });
        Assert.Equal(["Locking", "Cancelled: StopException: stop", "Unlocking", "Unlocked", "Locking", "Locked"], trace);
    }

    [Fact]
    public void Double_unlock_throws_and_poisons()
    {
        var trace = TraceRun.MockCatching(async _ =>
        {
            var t = new FiberMutex();
            await t.Lock();
            t.Unlock();
            try
            {
                t.Unlock();
            }
            catch (InvalidOperationException e)
            {
                Line($"Caught: {e.Message}");
            }

            Line("Trying to use lock after error...");
            try
            {
                await t.Lock();
            }
            catch (PoisonedException e)
            {
                Line(Describe(e));
                Assert.IsType<InvalidOperationException>(e.InnerException);
            }

            Line($"TryLock: {Describe(Assert.Throws<PoisonedException>(() => t.TryLock()))}");
            Line($"Unlock: {Describe(Assert.Throws<PoisonedException>(t.Unlock))}");
        });
        Assert.Equal(
            [
                "Caught: FiberMutex.Unlock: already unlocked!",
                "Trying to use lock after error...",
                "PoisonedException(InvalidOperationException: FiberMutex.Unlock: already unlocked!)",
                "TryLock: PoisonedException(InvalidOperationException: FiberMutex.Unlock: already unlocked!)",
                "Unlock: PoisonedException(InvalidOperationException: FiberMutex.Unlock: already unlocked!)",
            ],
            trace);
    }

    [Fact]
    public void UseRw_runs_one_critical_section_at_a_time()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var t = new FiberMutex();
            async ValueTask Section()
            {
                Line("Entered critical section");
                await F.Yield();
                Line("Leaving critical section");
            }

            await F.Both(() => t.UseRw(Section, protect: true), () => t.UseRw(Section, protect: true));
            Line($"IsLocked {t.IsLocked}");
        });
        Assert.Equal(["Entered critical section", "Leaving critical section", "Entered critical section", "Leaving critical section", "IsLocked False"], trace);
    }

    [Fact]
    public void UseRw_returns_the_body_result()
    {
        int result = TraceRunResult(async () =>
        {
            var t = new FiberMutex();
            return await t.UseRw(() => ValueTask.FromResult(42));
        });
        Assert.Equal(42, result);
    }

    [Fact]
    public void A_failed_critical_section_poisons_the_mutex()
    {
        var trace = TraceRun.MockCatching(async _ =>
        {
            var t = new FiberMutex();
            try
            {
                await t.UseRw(() => throw new SimulatedException(), protect: true);
            }
            catch (SimulatedException)
            {
                Line("Trying to use the failed lock again fails:");
                await t.Lock();
            }
        });
        Assert.Equal(
            ["Trying to use the failed lock again fails:", "Exception: PoisonedException: Mutex poisoned by SimulatedException: Simulated error"],
            trace);
    }

    [Fact]
    public void Protect_prevents_cancellation_of_the_critical_section()
    {
        var trace = TraceRun.MockCatching(async _ =>
        {
            var t = new FiberMutex();
            await F.Both(
                async () =>
                {
                    await t.UseRw(
                        async () =>
                        {
                            await F.Yield();
                            Line("Restored invariant");
                        },
                        protect: true);
                    F.Check();
                    Line("Error: not cancelled!");
                },
                () =>
                {
                    Line("Cancelling...");
                    throw new SimulatedException();
                });
            Line($"IsLocked {t.IsLocked}");
        });
        Assert.Equal(["Cancelling...", "Restored invariant", "Exception: SimulatedException: Simulated error"], trace);
    }

    [Fact]
    public void Unprotected_critical_section_is_interrupted_and_poisons_with_the_cancellation()
    {
        var trace = TraceRun.MockCatching(async _ =>
        {
            var t = new FiberMutex();
            try
            {
                await F.Both(
                    () => t.UseRw(
                        async () =>
                        {
                            await F.Yield();
                            Line("Restored invariant");
                        },
                        protect: false),
                    () =>
                    {
                        Line("Cancelling...");
                        throw new SimulatedException();
                    });
            }
            catch (SimulatedException)
            {
                Line("Trying to reuse the failed mutex...");
                try
                {
                    await t.UseRo(() => throw new InvalidOperationException("unreachable"));
                }
                catch (PoisonedException e)
                {
                    Line(Describe(e));
                    Assert.IsType<SimulatedException>(((CancelledException)e.InnerException!).Reason);
                }
            }
        });
        Assert.Equal(
            ["Cancelling...", "Trying to reuse the failed mutex...", "PoisonedException(CancelledException: Cancelled: SimulatedException: Simulated error)"],
            trace);
    }

    [Fact]
    public void Protect_does_not_shield_waiting_to_acquire()
    {
        var trace = TraceRun.MockCatching(async _ =>
        {
            var t = new FiberMutex();
            await t.Lock();
            try
            {
                await F.Both(
                    () => t.UseRw(() => throw new InvalidOperationException("unreachable"), protect: true),
                    () =>
                    {
                        Line("Cancelling...");
                        throw new SimulatedException();
                    });
            }
            catch (SimulatedException)
            {
                t.Unlock();
                await t.UseRo(() =>
                {
                    Line("Can reuse the mutex");
                    return ValueTask.CompletedTask;
                });
            }
        });
        Assert.Equal(["Cancelling...", "Can reuse the mutex"], trace);
    }

    [Fact]
    public void Poisoning_wakes_the_waiters_with_PoisonedException()
    {
        var trace = TraceRun.MockCatching(async _ =>
        {
            var t = new FiberMutex();
            await F.All(
                async () =>
                {
                    try
                    {
                        await t.UseRw(
                            async () =>
                            {
                                await F.Yield();
                                Line("Poisoning mutex");
                                throw new SimulatedException();
                            },
                            protect: false);
                    }
                    catch (SimulatedException)
                    {
                        Line("a: caught its own error");
                    }
                },
                async () =>
                {
                    Line("b: waiting for lock...");
                    try
                    {
                        await t.UseRo(() => throw new InvalidOperationException("unreachable"));
                    }
                    catch (PoisonedException e)
                    {
                        Line($"b: {Describe(e)}");
                    }
                },
                async () =>
                {
                    Line("c: waiting for lock...");
                    await t.Lock();
                });
        });
        Assert.Equal(
            [
                "b: waiting for lock...", "c: waiting for lock...", "Poisoning mutex", "a: caught its own error",
                "b: PoisonedException(SimulatedException: Simulated error)",
                "Exception: PoisonedException: Mutex poisoned by SimulatedException: Simulated error",
            ],
            trace);
    }

    [Fact]
    public void UseRo_unlocks_on_exception()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var t = new FiberMutex();
            try
            {
                await t.UseRo(() => throw new SimulatedException());
            }
            catch (SimulatedException e)
            {
                Line($"Caught: {e.Message}");
                Line("Trying to use the lock again is OK:");
                await Lock(t);
            }
        });
        Assert.Equal(["Caught: Simulated error", "Trying to use the lock again is OK:", "Locking", "Locked"], trace);
    }

    [Fact]
    public void UseRo_cancelled_inside_unlocks_without_poisoning()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var t = new FiberMutex();
            try
            {
                await F.Both(
                    () => t.UseRo(async () =>
                    {
                        Line("reading");
                        await F.Yield();
                        Line("unreachable");
                    }),
                    () => throw new StopException());
            }
            catch (StopException)
            {
                Line($"IsLocked {t.IsLocked}");
                await t.UseRo(() =>
                {
                    Line("still usable");
                    return ValueTask.CompletedTask;
                });
            }
        });
        Assert.Equal(["reading", "IsLocked False", "still usable"], trace);
    }

    [Fact]
    public void Try_lock()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var t = new FiberMutex();
            async ValueTask Body()
            {
                if (t.TryLock())
                {
                    Line("Entered critical section");
                    await F.Yield();
                    Line("Leaving critical section");
                    t.Unlock();
                }
                else
                {
                    Line("Failed to get lock");
                }
            }

            await F.Both(Body, Body);
            await t.UseRo(() =>
            {
                Line("Lock still works");
                return ValueTask.CompletedTask;
            });
        });
        Assert.Equal(["Entered critical section", "Failed to get lock", "Leaving critical section", "Lock still works"], trace);
    }

    [Fact]
    public void A_cancelled_waiter_is_skipped_by_the_hand_off()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var t = new FiberMutex();
            await t.Lock();
            await Switch.Run(async sw =>
            {
                CancelScope? bScope = null;
                F.Fork(sw, async () =>
                {
                    await Lock(t, "a: ");
                    Unlock(t, "a: ");
                });
                F.Fork(sw, () => Cancel.Sub(async scope =>
                {
                    bScope = scope;
                    try
                    {
                        await Lock(t, "b: ");
                    }
                    catch (CancelledException)
                    {
                        Line("b: cancelled");
                    }
                }));
                F.Fork(sw, async () =>
                {
                    await Lock(t, "c: ");
                    Unlock(t, "c: ");
                });
                bScope!.Cancel(new StopException());
                Unlock(t, "main: ");
                await F.Yield();
            });
            Line($"IsLocked {t.IsLocked}");
        });
        Assert.Equal(
            [
                "a: Locking", "b: Locking", "c: Locking", "main: Unlocking", "main: Unlocked",
                "b: cancelled", "a: Locked", "a: Unlocking", "a: Unlocked", "c: Locked", "c: Unlocking", "c: Unlocked", "IsLocked False",
            ],
            trace);
    }

    [Fact]
    public void A_lock_already_handed_over_wins_over_a_later_cancel()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var t = new FiberMutex();
            await t.Lock();
            await Switch.Run(async sw =>
            {
                CancelScope? scope = null;
                F.Fork(sw, () => Cancel.Sub(async s =>
                {
                    scope = s;
                    await Lock(t, "a: ");
                    Unlock(t, "a: ");
                }));
                Unlock(t, "main: ");
                scope!.Cancel(new StopException());
                Line("main: cancelled a");
                await F.Yield();
            });
            Line($"IsLocked {t.IsLocked}");
        });
        Assert.Equal(
            ["a: Locking", "main: Unlocking", "main: Unlocked", "main: cancelled a", "a: Locked", "a: Unlocking", "a: Unlocked", "IsLocked False"],
            trace);
    }

    [Fact]
    public void Lock_outside_a_fiber_is_rejected()
    {
        var t = new FiberMutex();
        var e = Assert.Throws<InvalidOperationException>(() => t.Lock());
        Assert.Contains("FiberMutex.Lock", e.Message, StringComparison.Ordinal);
        Assert.True(t.TryLock());
        t.Unlock();
        Assert.False(t.IsLocked);
    }

    private static T TraceRunResult<T>(Func<ValueTask<T>> body) => F.RunMock(_ => body());
}
