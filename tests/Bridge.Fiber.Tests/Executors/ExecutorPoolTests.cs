using System.Globalization;
using Bridge.Fiber.Tests.Sync;
using Bridge.Fibers;
using static Bridge.Fibers.Trace;
using F = Bridge.Fibers.Fiber;

namespace Bridge.Fiber.Tests.Executors;

/// <summary>
/// ExecutorPool: Eio's executor_pool.md behaviours. Under <c>Fiber.RunMock</c> each worker "domain" runs on the same
/// loop (Eio_mock's domain manager), so the traces are exact; Eio's "[n]" domain prefixes are not printed here.
/// </summary>
public class ExecutorPoolTests
{
    /// <summary>Eio's test harness: a traced sleep on the mock clock and a duration check.</summary>
    private sealed class Harness(Env env)
    {
        private readonly DateTimeOffset _start = env.Clock.GetUtcNow();

        public DomainManager Domains => env.DomainManager;

        public double Now => (env.Clock.GetUtcNow() - _start).TotalSeconds;

        public async ValueTask Sleep(double seconds, double? weight = null)
        {
            double t0 = Now;
            string w = weight is { } x ? $" (weight: {x.ToString("0.000", CultureInfo.InvariantCulture)})" : "";
            Line($"Sleeping {seconds:0}{w}: {t0:0} -> {t0 + seconds:0}");
            await Time.Sleep(TimeSpan.FromSeconds(seconds));
        }

        public async ValueTask<T> Duration<T>(double expected, Func<ValueTask<T>> f)
        {
            double t0 = Now;
            var result = await f();
            double actual = Now - t0;
            if (actual != expected)
            {
                throw new InvalidOperationException($"Duration was not {expected:0}: {actual:0}");
            }

            Line($"Duration (valid): {expected:0}");
            return result;
        }
    }

    private static List<string> Run(Func<Harness, ValueTask> body) => TraceRun.MockCatching(env => body(new Harness(env)));

    private static async ValueTask<int> SumWithWeight(Harness h, int domainCount, double weight, double expectedDuration)
    {
        return await Switch.Run(async sw =>
        {
            int total = 0;
            var pool = new ExecutorPool(sw, domainCount, h.Domains);
            return await h.Duration(expectedDuration, async () =>
            {
                await F.Iter(Enumerable.Range(1, 5), async i => await pool.Submit(
                    async () =>
                    {
                        await h.Sleep(50);
                        total += i;
                        return default(Unit);
                    },
                    weight));
                return total;
            });
        });
    }

    [Fact]
    public void Jobs_run_in_parallel_across_domains()
    {
        int total = 0;
        var trace = Run(async h => total = await SumWithWeight(h, domainCount: 2, weight: 1.0, expectedDuration: 150));
        Assert.Equal(
            [
                "Sleeping 50: 0 -> 50", "Sleeping 50: 0 -> 50", "mock time is now 50",
                "Sleeping 50: 50 -> 100", "Sleeping 50: 50 -> 100", "mock time is now 100",
                "Sleeping 50: 100 -> 150", "mock time is now 150", "Duration (valid): 150",
            ],
            trace);
        Assert.Equal(15, total);
    }

    [Fact]
    public void Jobs_run_in_parallel_within_one_worker_while_its_load_is_below_one()
    {
        int total = 0;
        var trace = Run(async h => total = await SumWithWeight(h, domainCount: 1, weight: 0.5, expectedDuration: 150));
        Assert.Equal(
            [
                "Sleeping 50: 0 -> 50", "Sleeping 50: 0 -> 50", "mock time is now 50",
                "Sleeping 50: 50 -> 100", "Sleeping 50: 50 -> 100", "mock time is now 100",
                "Sleeping 50: 100 -> 150", "mock time is now 150", "Duration (valid): 150",
            ],
            trace);
        Assert.Equal(15, total);
    }

    [Fact]
    public void Jobs_run_in_parallel_across_domains_and_workers()
    {
        int total = 0;
        var trace = Run(async h => total = await SumWithWeight(h, domainCount: 2, weight: 0.5, expectedDuration: 100));
        Assert.Equal(
            [
                "Sleeping 50: 0 -> 50", "Sleeping 50: 0 -> 50", "Sleeping 50: 0 -> 50", "Sleeping 50: 0 -> 50", "mock time is now 50",
                "Sleeping 50: 50 -> 100", "mock time is now 100", "Duration (valid): 100",
            ],
            trace);
        Assert.Equal(15, total);
    }

    [Fact]
    public void A_worker_takes_one_more_job_while_below_full_load_so_it_can_exceed_one()
    {
        var trace = Run(async h =>
        {
            await Switch.Run(async sw =>
            {
                var pool = new ExecutorPool(sw, 2, h.Domains);
                var weights = Enumerable.Repeat(0.25, 10).Append(1.0).Concat(Enumerable.Repeat(0.25, 7));
                await F.Iter(weights, async w => await pool.Submit(
                    async () =>
                    {
                        await h.Sleep(100, w);
                        return default(Unit);
                    },
                    w));
            });
        });
        Assert.Equal(
            [
                "Sleeping 100 (weight: 0.250): 0 -> 100", "Sleeping 100 (weight: 0.250): 0 -> 100",
                "Sleeping 100 (weight: 0.250): 0 -> 100", "Sleeping 100 (weight: 0.250): 0 -> 100",
                "Sleeping 100 (weight: 0.250): 0 -> 100", "Sleeping 100 (weight: 0.250): 0 -> 100",
                "Sleeping 100 (weight: 0.250): 0 -> 100", "Sleeping 100 (weight: 0.250): 0 -> 100",
                "mock time is now 100",
                "Sleeping 100 (weight: 0.250): 100 -> 200", "Sleeping 100 (weight: 0.250): 100 -> 200",
                "Sleeping 100 (weight: 1.000): 100 -> 200", "Sleeping 100 (weight: 0.250): 100 -> 200",
                "Sleeping 100 (weight: 0.250): 100 -> 200", "Sleeping 100 (weight: 0.250): 100 -> 200",
                "mock time is now 200",
                "Sleeping 100 (weight: 0.250): 200 -> 300", "Sleeping 100 (weight: 0.250): 200 -> 300",
                "Sleeping 100 (weight: 0.250): 200 -> 300", "Sleeping 100 (weight: 0.250): 200 -> 300",
                "mock time is now 300",
            ],
            trace);
    }

    [Theory]
    [InlineData(-5.0)]
    [InlineData(1.1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(-0.000001)]
    public void Weights_outside_zero_to_one_are_rejected(double weight)
    {
        string message = "";
        F.RunMock(async env =>
        {
            await Switch.Run(async sw =>
            {
                var pool = new ExecutorPool(sw, 2, env.DomainManager);
                try
                {
                    await pool.Submit(() => ValueTask.FromResult(1), weight);
                    Assert.Fail("accepted");
                }
                catch (ArgumentOutOfRangeException e)
                {
                    Assert.Equal("weight", e.ParamName);
                    message = e.Message;
                }

                Assert.Throws<ArgumentOutOfRangeException>(() => pool.SubmitFork(sw, () => ValueTask.FromResult(1), weight));
            });
        });
        Assert.StartsWith($"Executor_pool: weight {weight.ToString(CultureInfo.CurrentCulture)} not >= 0.0 && <= 1.0", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    public void Weights_zero_and_one_are_accepted(double weight)
    {
        int result = F.RunMock(async env => await Switch.Run(async sw =>
        {
            var pool = new ExecutorPool(sw, 1, env.DomainManager);
            return await pool.Submit(() => ValueTask.FromResult(7), weight);
        }));
        Assert.Equal(7, result);
    }

    [Fact]
    public void Bad_pool_arguments_are_rejected()
    {
        F.RunMock(async env =>
        {
            await Switch.Run(sw =>
            {
                Assert.Equal("domainCount", Assert.Throws<ArgumentOutOfRangeException>(() => new ExecutorPool(sw, 0, env.DomainManager)).ParamName);
                Assert.Throws<ArgumentNullException>(() => new ExecutorPool(null!, 1, env.DomainManager));
                Assert.Throws<ArgumentNullException>(() => new ExecutorPool(sw, 1, null!));
                var pool = new ExecutorPool(sw, 1, env.DomainManager);
                Assert.Equal(1, pool.DomainCount);
                return ValueTask.CompletedTask;
            });
        });
    }

    [Fact]
    public void Job_errors_reach_their_submitter_and_others_still_complete()
    {
        List<string> results = [];
        int total = 0;
        var trace = Run(async h =>
        {
            await Switch.Run(async sw =>
            {
                var pool = new ExecutorPool(sw, 1, h.Domains);
                var outcomes = await h.Duration(100, () => F.Map(Enumerable.Range(1, 5), async i =>
                {
                    try
                    {
                        int x = await pool.Submit(
                            async () =>
                            {
                                await h.Sleep(50);
                                if (i % 2 == 0)
                                {
                                    throw new SimulatedException(i.ToString(CultureInfo.InvariantCulture));
                                }

                                int before = total;
                                total += i;
                                return before;
                            },
                            0.25);
                        return $"Ok {x}";
                    }
                    catch (SimulatedException e)
                    {
                        return $"Error ({e.Message})";
                    }
                }));
                results = [.. outcomes];
            });
        });
        Assert.Equal(
            [
                "Sleeping 50: 0 -> 50", "Sleeping 50: 0 -> 50", "Sleeping 50: 0 -> 50", "Sleeping 50: 0 -> 50", "mock time is now 50",
                "Sleeping 50: 50 -> 100", "mock time is now 100", "Duration (valid): 100",
            ],
            trace);
        Assert.Equal(["Ok 0", "Error (2)", "Ok 1", "Error (4)", "Ok 4"], results);
        Assert.Equal(9, total);
    }

    [Fact]
    public void A_job_error_rethrown_by_submit_fails_the_callers_switch()
    {
        var trace = Run(async h =>
        {
            await Switch.Run(async sw =>
            {
                int total = 0;
                var pool = new ExecutorPool(sw, 1, h.Domains);
                await F.Map(Enumerable.Range(1, 5), i => pool.Submit(
                    () =>
                    {
                        Line($"Started {i}");
                        int x = total;
                        total += i;
                        return x == 3 ? throw new SimulatedException(i.ToString(CultureInfo.InvariantCulture)) : ValueTask.FromResult(x);
                    },
                    1.0));
            });
        });
        Assert.Equal(["Started 1", "Started 2", "Started 3", "Exception: SimulatedException: 3"], trace);
    }

    [Fact]
    public void Submit_blocks_until_a_worker_has_room()
    {
        var trace = Run(async h =>
        {
            await Switch.Run(async sw =>
            {
                var pool = new ExecutorPool(sw, 1, h.Domains);
                var p1 = F.ForkPromise(sw, () => pool.Submit(
                    async () =>
                    {
                        await h.Sleep(50);
                        return default(Unit);
                    },
                    1.0));
                await h.Duration(50, () => pool.Submit(() => ValueTask.FromResult(default(Unit)), 1.0));
                await h.Duration(0, async () => await p1);
            });
        });
        Assert.Equal(["Sleeping 50: 0 -> 50", "mock time is now 50", "Duration (valid): 50", "Duration (valid): 0"], trace);
    }

    [Fact]
    public void SubmitFork_does_not_block_when_the_pool_is_full()
    {
        var trace = Run(async h =>
        {
            await Switch.Run(async sw =>
            {
                var pool = new ExecutorPool(sw, 1, h.Domains);
                Func<ValueTask<Unit>> sleep50 = async () =>
                {
                    await h.Sleep(50);
                    return default;
                };
                var p1 = await h.Duration(0, () => ValueTask.FromResult(F.ForkPromise(sw, () => pool.Submit(sleep50, 1.0))));
                var p2 = await h.Duration(0, () => ValueTask.FromResult(F.ForkPromise(sw, () => pool.Submit(sleep50, 1.0))));
                var p3 = await h.Duration(0, () => ValueTask.FromResult(pool.SubmitFork(sw, () => ValueTask.FromResult(default(Unit)), 1.0)));
                await h.Duration(100, async () =>
                {
                    await p1;
                    await p2;
                    return await p3;
                });
            });
        });
        Assert.Equal(
            [
                "Duration (valid): 0", "Duration (valid): 0", "Duration (valid): 0",
                "Sleeping 50: 0 -> 50", "mock time is now 50", "Sleeping 50: 50 -> 100", "mock time is now 100", "Duration (valid): 100",
            ],
            trace);
    }

    [Fact]
    public void Submit_after_the_switch_finished_throws()
    {
        int count = 0;
        var trace = Run(async h =>
        {
            ExecutorPool? leak = null;
            try
            {
                await Switch.Run(async sw =>
                {
                    var pool = new ExecutorPool(sw, 1, h.Domains);
                    leak = pool;
                    Func<ValueTask<Unit>> job = async () =>
                    {
                        await h.Sleep(50);
                        count++;
                        return default;
                    };
                    var p1 = await h.Duration(0, () => ValueTask.FromResult(F.ForkPromise(sw, () => pool.Submit(job, 1.0))));
                    sw.Fail(new SimulatedException("Abort mission!"));
                    await p1;
                    await pool.Submit(job, 1.0);
                });
            }
            catch (Exception e)
            {
                Line($"switch: {e.GetType().Name}");
            }

            await leak!.Submit(() => ValueTask.FromResult(++count), 1.0);
            Line($"Count: {count}");
        });
        Assert.Equal(["Duration (valid): 0", "switch: SimulatedException", "Exception: InvalidOperationException: Stream closed"], trace);
        Assert.Equal(0, count);
    }

    [Fact]
    public void Submitters_still_waiting_for_a_worker_when_the_pool_closes_get_an_error()
    {
        var trace = Run(async h =>
        {
            await Switch.Run(async outer =>
            {
                FiberPromise<Unit>? busy = null;
                FiberPromise<Unit>? pending = null;
                await Switch.Run(async sw =>
                {
                    var pool = new ExecutorPool(sw, 1, h.Domains);
                    busy = F.ForkPromise(outer, () => pool.Submit(
                        async () =>
                        {
                            await h.Sleep(50);
                            return default(Unit);
                        },
                        1.0));
                    pending = F.ForkPromise(outer, () => pool.Submit(() => ValueTask.FromResult(default(Unit)), 1.0));
                    await F.Yield();
                    Line("pool switch finishing");
                });
                Line("pool switch finished");
                foreach (var (name, p) in new[] { ("busy", busy!), ("pending", pending!) })
                {
                    try
                    {
                        await p;
                        Line($"{name}: ok");
                    }
                    catch (Exception e)
                    {
                        Line($"{name}: {e.GetType().Name}: {e.Message}");
                    }
                }
            });
        });
        Assert.Equal(
            [
                "Sleeping 50: 0 -> 50", "pool switch finishing", "pool switch finished",
                "busy: CancelledException: Cancelled: OnlyDaemonsLeftException: Only daemon fibers remain on the switch",
                "pending: InvalidOperationException: Stream closed",
            ],
            trace);
    }

    [Fact]
    public void A_submitter_still_gets_a_reply_when_the_worker_is_cancelled()
    {
        var trace = Run(async h =>
        {
            await Switch.Run(async sw =>
            {
                var pool = new ExecutorPool(sw, 1, h.Domains);
                await F.Both(
                    () => Cancel.Protect(async () =>
                    {
                        Line("Submitting...");
                        try
                        {
                            await pool.Submit(
                                () =>
                                {
                                    Line("Running");
                                    return ValueTask.FromResult(0);
                                },
                                1.0);
                        }
                        catch (CancelledException e)
                        {
                            Line($"Reply: {e.Message}");
                            throw;
                        }

                        throw new InvalidOperationException("unreachable");
                    }),
                    () =>
                    {
                        Line("Simulated error");
                        sw.Fail(new StopException());
                        return ValueTask.CompletedTask;
                    });
            });
        });
        Assert.Equal(["Submitting...", "Simulated error", "Reply: Cancelled: StopException: stop", "Exception: StopException: stop"], trace);
    }

    [Fact]
    public void A_submitter_cancelled_while_waiting_for_a_worker_never_runs_its_job()
    {
        var trace = Run(async h =>
        {
            await Switch.Run(async sw =>
            {
                var pool = new ExecutorPool(sw, 1, h.Domains);
                Func<ValueTask<Unit>> Job(string name) => async () =>
                {
                    Line($"{name} running");
                    await h.Sleep(10);
                    Line($"{name} done");
                    return default;
                };
                var a = F.ForkPromise(sw, () => pool.Submit(Job("A"), 1.0));
                CancelScope? scope = null;
                var b = F.ForkPromise(sw, () => Cancel.Sub(async s =>
                {
                    scope = s;
                    return await pool.Submit(Job("B"), 1.0);
                }));
                var c = F.ForkPromise(sw, () => pool.Submit(Job("C"), 1.0));
                scope!.Cancel(new StopException());
                await a;
                try
                {
                    await b;
                }
                catch (CancelledException e)
                {
                    Line($"B: {e.Message}");
                }

                await c;
                Line($"finished at {h.Now:0}");
            });
        });
        TraceRun.AssertLines(
            [
                "A running", "Sleeping 10: 0 -> 10", "mock time is now 10", "A done",
                "C running", "Sleeping 10: 10 -> 20", "B: Cancelled: StopException: stop", "mock time is now 20", "C done", "finished at 20",
            ],
            trace);
    }

    [Fact]
    public void Under_a_real_run_jobs_run_on_the_worker_threads()
    {
        int mainThread = 0;
        var jobThreads = new System.Collections.Concurrent.ConcurrentBag<int>();
        IReadOnlyList<int> results = [];
        var run = Task.Run(() => F.Run(async env =>
        {
            mainThread = Environment.CurrentManagedThreadId;
            await Switch.Run(async sw =>
            {
                var pool = new ExecutorPool(sw, 2, env.DomainManager);
                results = await F.Map(Enumerable.Range(1, 20), i => pool.Submit(
                    async () =>
                    {
                        jobThreads.Add(Environment.CurrentManagedThreadId);
                        await F.Yield();
                        return i * i;
                    },
                    0.5));
            });
        }));
        Assert.True(run.Wait(TimeSpan.FromSeconds(60)), "the run did not finish in time");
        Assert.Equal(Enumerable.Range(1, 20).Select(i => i * i), results);
        Assert.Equal(20, jobThreads.Count);
        Assert.DoesNotContain(mainThread, jobThreads);
        Assert.InRange(jobThreads.Distinct().Count(), 1, 2);
    }

    [Fact]
    public void A_job_keeps_running_when_its_submitter_stops_waiting_for_the_result()
    {
        var trace = Run(async h =>
        {
            await Switch.Run(async sw =>
            {
                var pool = new ExecutorPool(sw, 1, h.Domains);
                try
                {
                    await Time.WithTimeout(TimeSpan.FromSeconds(5), async () =>
                    {
                        try
                        {
                            return await pool.Submit(
                                async () =>
                                {
                                    Line("job started");
                                    await h.Sleep(10);
                                    Line("job finished");
                                    return 1;
                                },
                                1.0);
                        }
                        catch (CancelledException)
                        {
                            Line("submitter cancelled");
                            throw;
                        }
                    });
                    Line("result: ok");
                }
                catch (TimeoutException)
                {
                    Line("result: TimeoutException");
                }

                await Time.Sleep(TimeSpan.FromSeconds(10));
            });
        });
        Assert.Equal(["job started", "Sleeping 10: 0 -> 10", "mock time is now 5", "submitter cancelled", "result: TimeoutException", "mock time is now 10", "job finished", "mock time is now 15"], trace);
    }
}
