using Bridge.Fibers;
using static Bridge.Fibers.Trace;
using F = Bridge.Fibers.Fiber;

namespace Bridge.Fiber.Tests.Sync;

/// <summary>FiberPool: Eio's pool.md behaviours, plus limits, FIFO order and cancellation.</summary>
public class PoolTests
{
    /// <summary>A pool whose i-th allocation traces "Creating item i" and awaits the i-th promise.</summary>
    private static FiberPool<int> Create(
        int capacity,
        IReadOnlyList<FiberPromise<int>> items,
        Func<int, ValueTask<bool>>? validate = null,
        Func<int, ValueTask>? dispose = null)
    {
        int i = 0;
        return new FiberPool<int>(
            capacity,
            async () =>
            {
                Line($"Creating item {i}");
                var p = items[i++];
                return await p;
            },
            validate,
            dispose);
    }

    private static ValueTask Dispose(int x)
    {
        Line($"disposing {x}");
        return ValueTask.CompletedTask;
    }

    private static Func<ValueTask> UseAndYield(FiberPool<int> t, string who, bool neverBlock = false) => () => t.Use(
        async x =>
        {
            Line($"{who}: using item {x}");
            await F.Yield();
            Line($"{who} done");
        },
        neverBlock);

    [Fact]
    public void Bad_arguments_are_rejected()
    {
        Assert.Equal("capacity", Assert.Throws<ArgumentOutOfRangeException>(() => new FiberPool<int>(0, () => ValueTask.FromResult(1))).ParamName);
        Assert.Throws<ArgumentNullException>(() => new FiberPool<int>(1, null!));
    }

    [Fact]
    public void A_resource_is_created_once_and_reused()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var t = Create(1, [FiberPromise.FromResult(0)]);
            await t.Use(x =>
            {
                Line($"Using item {x}");
                return ValueTask.CompletedTask;
            });
            await t.Use(x =>
            {
                Line($"Using item {x}");
                return ValueTask.CompletedTask;
            });
            Line($"Created {t.Created}");
        });
        Assert.Equal(["Creating item 0", "Using item 0", "Using item 0", "Created 1"], trace);
    }

    [Fact]
    public void With_capacity_one_the_second_user_waits()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var (p, r) = FiberPromise.Create<int>();
            var t = Create(1, [p]);
            await F.All(
                UseAndYield(t, "A"),
                UseAndYield(t, "B"),
                () =>
                {
                    r.Resolve(0);
                    return ValueTask.CompletedTask;
                });
        });
        Assert.Equal(["Creating item 0", "A: using item 0", "A done", "B: using item 0", "B done"], trace);
    }

    [Fact]
    public void With_capacity_two_two_users_run_in_parallel()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var (p0, r0) = FiberPromise.Create<int>();
            var (p1, r1) = FiberPromise.Create<int>();
            var t = Create(2, [p0, p1]);
            await F.All(
                UseAndYield(t, "A"),
                UseAndYield(t, "B"),
                () =>
                {
                    r0.Resolve(0);
                    r1.Resolve(1);
                    return ValueTask.CompletedTask;
                });
        });
        Assert.Equal(["Creating item 0", "A: using item 0", "Creating item 1", "B: using item 1", "A done", "B done"], trace);
    }

    [Fact]
    public void Never_block_creates_an_extra_resource_and_disposes_it()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var (p0, r0) = FiberPromise.Create<int>();
            var (p1, r1) = FiberPromise.Create<int>();
            var t = Create(1, [p0, p1], dispose: Dispose);
            await F.All(
                UseAndYield(t, "A", neverBlock: true),
                UseAndYield(t, "B", neverBlock: true),
                UseAndYield(t, "C"),
                UseAndYield(t, "D"),
                () =>
                {
                    r0.Resolve(0);
                    r1.Resolve(1);
                    return ValueTask.CompletedTask;
                });
            Line($"Created {t.Created}");
        });
        Assert.Equal(
            [
                "Creating item 0", "Creating item 1", "A: using item 1", "B: using item 0", "A done", "B done", "disposing 0",
                "C: using item 1", "C done", "D: using item 1", "D done", "Created 1",
            ],
            trace);
    }

    [Fact]
    public void Cancellation_while_creating_or_waiting()
    {
        var trace = TraceRun.MockCatching(async _ =>
        {
            var (p, _) = FiberPromise.Create<int>();
            var t = Create(1, [p]);
            await F.All(
                () => t.Use(_ => throw new InvalidOperationException("unreachable")), // waits for the creation to finish
                () => t.Use(_ => throw new InvalidOperationException("unreachable")), // waits for the item to be returned
                () => throw new SimulatedException());
        });
        Assert.Equal(["Creating item 0", "Exception: SimulatedException: Simulated error"], trace);
    }

    [Fact]
    public void A_cancelled_waiter_is_skipped_and_loses_nothing()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var t = Create(1, [FiberPromise.FromResult(0)]);
            await Switch.Run(async sw =>
            {
                CancelScope? scope = null;
                F.Fork(sw, UseAndYield(t, "A"));
                F.Fork(sw, () => Cancel.Sub(async s =>
                {
                    scope = s;
                    try
                    {
                        await UseAndYield(t, "B")();
                    }
                    catch (CancelledException)
                    {
                        Line("B cancelled");
                    }
                }));
                F.Fork(sw, UseAndYield(t, "C"));
                scope!.Cancel(new StopException());
                await F.Yield();
            });
            await UseAndYield(t, "D")();
            Line($"Created {t.Created}");
        });
        Assert.Equal(
            ["Creating item 0", "A: using item 0", "B cancelled", "A done", "C: using item 0", "C done", "D: using item 0", "D done", "Created 1"],
            trace);
    }

    [Fact]
    public void The_resource_is_returned_even_if_the_body_throws()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var t = Create(1, [FiberPromise.FromResult(0)]);
            try
            {
                await t.Use(x =>
                {
                    Line($"Using item {x}");
                    throw new SimulatedException();
                });
            }
            catch (SimulatedException e)
            {
                Line($"Failed: {e.Message}");
            }

            await t.Use(x =>
            {
                Line($"Using item {x}");
                return ValueTask.CompletedTask;
            });
        });
        Assert.Equal(["Creating item 0", "Using item 0", "Failed: Simulated error", "Using item 0"], trace);
    }

    [Fact]
    public void A_failed_creation_fails_that_use_and_the_next_waiter_retries()
    {
        var trace = TraceRun.MockCatching(async _ =>
        {
            var (p, r) = FiberPromise.Create<int>();
            var t = Create(1, [p, FiberPromise.FromResult(1)]);
            await Switch.Run(async sw =>
            {
                var a = F.ForkPromise(sw, async () =>
                {
                    await t.Use(i =>
                    {
                        Line($"A: using item {i}");
                        return ValueTask.CompletedTask;
                    });
                    return default(Unit);
                });
                await F.Both(
                    () => t.Use(i =>
                    {
                        Line($"B: using item {i}");
                        return ValueTask.CompletedTask;
                    }),
                    () =>
                    {
                        r.Reject(new SimulatedException("Simulated creation failure"));
                        return ValueTask.CompletedTask;
                    });
                await a;
            });
        });
        Assert.Equal(["Creating item 0", "Creating item 1", "B: using item 1", "Exception: SimulatedException: Simulated creation failure"], trace);
    }

    [Fact]
    public void Reused_resources_are_validated_and_rejected_ones_replaced()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            ValueTask<bool> Validate(int x)
            {
                bool ok = x % 2 == 0;
                Line($"validate {x} => {ok}");
                return ValueTask.FromResult(ok);
            }

            var t = Create(2, [FiberPromise.FromResult(0), FiberPromise.FromResult(1), FiberPromise.FromResult(2)], Validate, Dispose);
            Func<ValueTask> Use(string who) => () => t.Use(async x =>
            {
                Line($"{who}: using item {x}");
                await F.Yield();
            });
            await F.All(Use("A"), Use("B"), Use("C"), Use("D"));
            Line($"Created {t.Created}");
        });
        Assert.Equal(
            [
                "Creating item 0", "A: using item 0", "Creating item 1", "B: using item 1", "validate 0 => True", "C: using item 0",
                "validate 1 => False", "disposing 1", "Creating item 2", "D: using item 2", "Created 2",
            ],
            trace);
    }

    [Fact]
    public void A_failing_dispose_is_reported_and_the_resource_still_replaced()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            ValueTask<bool> Validate(int x)
            {
                bool ok = x % 2 == 1;
                Line($"validate {x} => {ok}");
                return ValueTask.FromResult(ok);
            }

            ValueTask FailingDispose(int x) => throw new SimulatedException($"Simulated error disposing {x}");
            var t = Create(1, [FiberPromise.FromResult(0), FiberPromise.FromResult(1), FiberPromise.FromResult(2)], Validate, FailingDispose);
            Func<ValueTask> Use(string who) => () => t.Use(async x =>
            {
                Line($"{who}: using item {x}");
                await F.Yield();
            });
            try
            {
                await F.Both(Use("A"), Use("B"));
            }
            catch (SimulatedException e)
            {
                Line($"Failed: {e.Message}");
            }

            await F.Both(Use("C"), Use("D"));
        });
        Assert.Equal(
            [
                "Creating item 0", "A: using item 0", "validate 0 => False", "Failed: Simulated error disposing 0",
                "Creating item 1", "C: using item 1", "validate 1 => True", "D: using item 1",
            ],
            trace);
    }

    [Fact]
    public void At_most_capacity_resources_exist_and_waiters_are_served_in_order()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            int next = 0;
            int live = 0;
            int maxLive = 0;
            var t = new FiberPool<int>(
                2,
                () =>
                {
                    live++;
                    maxLive = Math.Max(maxLive, live);
                    return ValueTask.FromResult(next++);
                },
                dispose: _ =>
                {
                    live--;
                    return ValueTask.CompletedTask;
                });
            var order = new List<string>();
            await F.Iter(Enumerable.Range(0, 6), i => t.Use(async x =>
            {
                order.Add($"u{i}:r{x}");
                await F.Yield();
                await F.Yield();
            }));
            Line(string.Join(" ", order));
            Line($"max live {maxLive}, live {live}, Created {t.Created}");
        });
        Assert.Equal(["u0:r0 u1:r1 u2:r0 u3:r1 u4:r0 u5:r1", "max live 2, live 2, Created 2"], trace);
    }

    [Fact]
    public void Never_block_uses_an_idle_resource_when_there_is_one()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var t = Create(1, [FiberPromise.FromResult(0)], dispose: Dispose);
            await t.Use(_ => ValueTask.CompletedTask);
            await t.Use(
                x =>
                {
                    Line($"using item {x}");
                    return ValueTask.CompletedTask;
                },
                neverBlock: true);
            Line($"Created {t.Created}");
        });
        Assert.Equal(["Creating item 0", "using item 0", "Created 1"], trace);
    }

    [Fact]
    public void Never_block_extra_is_disposed_even_if_the_body_throws()
    {
        var trace = TraceRun.Mock(async _ =>
        {
            var t = Create(1, [FiberPromise.FromResult(0), FiberPromise.FromResult(1)], dispose: Dispose);
            await F.Both(
                UseAndYield(t, "A"),
                async () =>
                {
                    try
                    {
                        await t.Use(x => throw new SimulatedException($"failed with {x}"), neverBlock: true);
                    }
                    catch (SimulatedException e)
                    {
                        Line(e.Message);
                    }
                });
        });
        Assert.Equal(["Creating item 0", "disposing 0", "failed with 0", "Creating item 1", "A: using item 1", "A done"], trace);
    }

    [Fact]
    public void Use_returns_the_body_result()
    {
        int result = F.RunMock(async _ =>
        {
            var t = new FiberPool<string>(1, () => ValueTask.FromResult("conn"));
            return await t.Use(c => ValueTask.FromResult(c.Length));
        });
        Assert.Equal(4, result);
    }
}
