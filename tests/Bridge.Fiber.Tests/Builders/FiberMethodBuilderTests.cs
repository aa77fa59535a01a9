using System.Runtime.CompilerServices;
using Bridge.Fiber.Tests.Support;
using Bridge.Fibers;
using static Bridge.Fibers.Trace;
using F = Bridge.Fibers.Fiber;

namespace Bridge.Fiber.Tests.Builders;

/// <summary>
/// The opt-in <see cref="FiberMethodBuilder"/>: the same scheduling, errors, cancellation and AsyncLocal flow as the
/// standard builder — each trace below is asserted for both builders — and ordinary ValueTask behaviour outside fibers.
/// </summary>
public class FiberMethodBuilderTests
{
    private static readonly AsyncLocal<string?> s_local = new();

    [Fact]
    public void Fork_and_yield_interleave_exactly_as_with_the_standard_builder()
    {
        string[] expected =
        [
            "a0", "b0", "main after forks", "a1", "b1", "main resumed", "a2", "b2", "a done", "b done",
        ];
        Assert.Equal(expected, Eio.Run(_ => Interleave(StandardWorker)));
        Assert.Equal(expected, Eio.Run(_ => Interleave(OptInWorker)));
    }

    [Fact]
    public void A_finished_callee_continues_its_caller_in_the_same_step()
    {
        // Queued work must not run between the callee's return and the caller's next line, whichever builder each uses.
        string[] expected = ["queued: start", "callee yields", "queued: runs", "callee done", "caller continues", "queued: again"];
        Assert.Equal(expected, Eio.Run(_ => CallerAndCallee(OptInCallee, optInCaller: false)));
        Assert.Equal(expected, Eio.Run(_ => CallerAndCallee(OptInCallee, optInCaller: true)));
        Assert.Equal(expected, Eio.Run(_ => CallerAndCallee(StandardCallee, optInCaller: true)));
    }

    [Fact]
    public void Failures_before_and_after_the_first_suspension_fail_the_switch_with_the_original_exception()
    {
        var trace = Eio.Run(async _ =>
        {
            foreach (bool yieldFirst in new[] { false, true })
            {
                try
                {
                    await Switch.Run(sw =>
                    {
                        F.Fork(sw, Fails);
                        return ValueTask.CompletedTask;

                        [AsyncMethodBuilder(typeof(FiberMethodBuilder))]
                        async ValueTask Fails()
                        {
                            if (yieldFirst)
                            {
                                await F.Yield();
                            }

                            throw new Failure(yieldFirst ? "after yield" : "at once");
                        }
                    });
                }
                catch (Failure e)
                {
                    Line("caught " + e.Message);
                }
            }
        });
        Assert.Equal(["caught at once", "caught after yield"], trace);
    }

    [Fact]
    public async Task A_failed_method_rethrows_the_same_exception_object_and_reports_its_status()
    {
        var error = new Failure("x");
        var synchronous = FailNow(error);
        Assert.True(synchronous.IsFaulted);
        Assert.Same(error, await Assert.ThrowsAsync<Failure>(async () => await synchronous));

        var cancelled = CancelNow();
        Assert.True(cancelled.IsCanceled);
        await Assert.ThrowsAsync<OperationCanceledException>(async () => await cancelled);

        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var asynchronous = FailLater(error, gate.Task);
        Assert.False(asynchronous.IsCompleted);
        gate.SetResult();
        Assert.Same(error, await Assert.ThrowsAsync<Failure>(async () => await asynchronous));

        [AsyncMethodBuilder(typeof(FiberMethodBuilder))]
        static async ValueTask FailNow(Exception e)
        {
            await Task.CompletedTask;
            throw e;
        }

        [AsyncMethodBuilder(typeof(FiberMethodBuilder<>))]
        static async ValueTask<int> CancelNow()
        {
            await Task.CompletedTask;
            throw new OperationCanceledException();
        }

        [AsyncMethodBuilder(typeof(FiberMethodBuilder))]
        static async ValueTask FailLater(Exception e, Task gate)
        {
            await gate;
            throw e;
        }
    }

    [Fact]
    public void Waits_on_streams_promises_mutexes_and_sleeps_are_cancelled_like_the_standard_ones()
    {
        Assert.Equal(
            [
                "take waits", "add waits", "promise waits", "lock waits", "sleep waits",
                "take: cancelled", "add: cancelled", "promise: cancelled", "lock: cancelled", "sleep: cancelled",
                "switch: stop",
            ],
            CancelledWaits(optIn: false));
        Assert.Equal(CancelledWaits(optIn: false), CancelledWaits(optIn: true));
    }

    private static List<string> CancelledWaits(bool optIn)
    {
        var empty = new FiberStream<int>(0);
        var full = new FiberStream<int>(0);
        var (promise, _) = FiberPromise.Create<int>();
        var mutex = new FiberMutex();
        return Eio.Run(async _ =>
        {
            await mutex.Lock();
            try
            {
                await Switch.Run(async sw =>
                {
                    F.Fork(sw, Waiter("take", optIn));
                    F.Fork(sw, Waiter("add", optIn));
                    F.Fork(sw, Waiter("promise", optIn));
                    F.Fork(sw, Waiter("lock", optIn));
                    F.Fork(sw, Waiter("sleep", optIn));
                    await F.Yield();
                    sw.Fail(new Failure("stop"));
                });
            }
            catch (Failure e)
            {
                Line("switch: " + e.Message);
            }
        });

        // Each wait is awaited directly in a method built by the builder under test.
        Func<ValueTask> Waiter(string name, bool optIn) => optIn ? () => OptInWait(name) : () => StandardWait(name);

        [AsyncMethodBuilder(typeof(FiberMethodBuilder))]
        async ValueTask OptInWait(string name)
        {
            Line(name + " waits");
            try
            {
                switch (name)
                {
                    case "take": await empty.Take(); break;
                    case "add": await full.Add(1); break;
                    case "promise": await promise; break;
                    case "lock": await mutex.Lock(); break;
                    default: await Time.Sleep(TimeSpan.FromSeconds(5)); break;
                }
            }
            catch (CancelledException)
            {
                Line(name + ": cancelled");
                throw;
            }
        }

        async ValueTask StandardWait(string name)
        {
            Line(name + " waits");
            try
            {
                switch (name)
                {
                    case "take": await empty.Take(); break;
                    case "add": await full.Add(1); break;
                    case "promise": await promise; break;
                    case "lock": await mutex.Lock(); break;
                    default: await Time.Sleep(TimeSpan.FromSeconds(5)); break;
                }
            }
            catch (CancelledException)
            {
                Line(name + ": cancelled");
                throw;
            }
        }
    }

    [Fact]
    public void Values_flow_through_a_stream_between_opt_in_fibers_in_eio_order()
    {
        var trace = Eio.Run(async _ =>
        {
            var stream = new FiberStream<int>(1);
            await Switch.Run(sw =>
            {
                F.Fork(sw, Producer);
                F.Fork(sw, Consumer);
                return ValueTask.CompletedTask;

                [AsyncMethodBuilder(typeof(FiberMethodBuilder))]
                async ValueTask Producer()
                {
                    for (int i = 1; i <= 3; i++)
                    {
                        Line($"adding {i}");
                        await stream.Add(i);
                    }
                }

                [AsyncMethodBuilder(typeof(FiberMethodBuilder))]
                async ValueTask Consumer()
                {
                    for (int i = 1; i <= 3; i++)
                    {
                        Line($"took {await stream.Take()}");
                    }
                }
            });
        });
        // The same trace as the standard builder gives (capacity 1: the producer runs ahead by one item).
        Assert.Equal(["adding 1", "adding 2", "took 1", "took 2", "adding 3", "took 3"], trace);
    }

    [Fact]
    public void AsyncLocal_values_flow_into_callees_and_across_yields_but_never_leak_out()
    {
        var trace = Eio.Run(async _ =>
        {
            await Switch.Run(sw =>
            {
                F.Fork(sw, Owner);
                F.Fork(sw, async () => { await F.Yield(); Line($"neighbour sees '{s_local.Value}'"); });
                return ValueTask.CompletedTask;

                [AsyncMethodBuilder(typeof(FiberMethodBuilder))]
                async ValueTask Owner()
                {
                    s_local.Value = "owner";
                    await F.Yield();
                    Line($"owner after yield sees '{s_local.Value}'");
                    await SetsItsOwn();
                    Line($"owner after callee sees '{s_local.Value}'");
                }

                [AsyncMethodBuilder(typeof(FiberMethodBuilder))]
                static async ValueTask SetsItsOwn()
                {
                    Line($"callee inherits '{s_local.Value}'");
                    s_local.Value = "callee";
                    await F.Yield();
                    Line($"callee after yield sees '{s_local.Value}'");
                }
            });
            Line($"main sees '{s_local.Value}'");
        });
        Assert.Equal(
            [
                "owner after yield sees 'owner'", "callee inherits 'owner'", "neighbour sees ''", "callee after yield sees 'callee'",
                "owner after callee sees 'owner'", "main sees ''",
            ],
            trace);
    }

    [Fact]
    public void A_value_set_after_a_yield_does_not_leak_into_the_next_fiber_step()
    {
        var trace = Eio.Run(async _ =>
        {
            await Switch.Run(sw =>
            {
                F.Fork(sw, Setter);
                F.Fork(sw, async () =>
                {
                    for (int i = 0; i < 2; i++)
                    {
                        await F.Yield();
                        Line($"other fiber sees '{s_local.Value}'");
                    }
                });
                return ValueTask.CompletedTask;

                [AsyncMethodBuilder(typeof(FiberMethodBuilder))]
                static async ValueTask Setter()
                {
                    await F.Yield();
                    s_local.Value = "set in the setter's second step";
                    await F.Yield();
                    Line($"setter sees '{s_local.Value}'");
                }
            });
        });
        Assert.Equal(["other fiber sees ''", "setter sees 'set in the setter's second step'", "other fiber sees ''"], trace);
        Assert.Null(s_local.Value); // nor into the thread that ran the loop
    }

    [Fact]
    public void Code_that_runs_after_a_resumed_step_in_the_same_loop_item_does_not_see_its_values()
    {
        // A fiber that fails in a step cancels its switch there and then: the cancel hooks run in that same loop item,
        // after the method's box has returned — they must not see what the method set.
        var trace = Eio.Run(async _ =>
        {
            try
            {
                await Switch.Run(sw =>
                {
                    sw.Context.OnCancel(_ => Line($"cancel hook sees '{s_local.Value}'"));
                    F.Fork(sw, Fails);
                    return ValueTask.CompletedTask;

                    [AsyncMethodBuilder(typeof(FiberMethodBuilder))]
                    static async ValueTask Fails()
                    {
                        await F.Yield();
                        s_local.Value = "the failing fiber's";
                        throw new Failure("x");
                    }
                });
            }
            catch (Failure)
            {
                Line("switch failed");
            }
        });
        Assert.Equal(["cancel hook sees ''", "switch failed"], trace);
    }

    [Fact]
    public void Typed_methods_return_their_values_whether_or_not_they_suspend()
    {
        var trace = Eio.Run(async _ =>
        {
            await Switch.Run(async sw =>
            {
                var forked = F.ForkPromise(sw, () => Twice(21, suspend: true));
                Line($"at once: {await Twice(5, suspend: false)}");
                Line($"after a yield: {await Twice(10, suspend: true)}");
                Line($"forked: {await forked}");
            });
        });
        Assert.Equal(["at once: 10", "after a yield: 20", "forked: 42"], trace);

        // The same awaits in a FiberMethodBuilder method: a pending ValueTask<T> of a typed method and a FiberPromise<T>.
        var optIn = Eio.Run(async _ =>
        {
            await Switch.Run([AsyncMethodBuilder(typeof(FiberMethodBuilder))] async ValueTask (sw) =>
            {
                var forked = F.ForkPromise(sw, () => Twice(21, suspend: true));
                Line($"at once: {await Twice(5, suspend: false)}");
                Line($"after a yield: {await Twice(10, suspend: true)}");
                Line($"forked: {await forked}");
            });
        });
        Assert.Equal(trace, optIn);

        [AsyncMethodBuilder(typeof(FiberMethodBuilder<>))]
        static async ValueTask<int> Twice(int n, bool suspend)
        {
            if (suspend)
            {
                await F.Yield();
            }

            return 2 * n;
        }
    }

    [Fact]
    public void A_foreign_await_comes_back_to_the_loop_as_the_same_fiber()
    {
        var trace = Bounded.Run(() => Eio.Run(async _ =>
        {
            await Switch.Run(sw =>
            {
                F.Fork(sw, Body);
                return ValueTask.CompletedTask;

                [AsyncMethodBuilder(typeof(FiberMethodBuilder))]
                static async ValueTask Body()
                {
                    var loop = Environment.CurrentManagedThreadId;
                    await Task.Run(() => Thread.Yield());
                    Line($"back on the loop: {Environment.CurrentManagedThreadId == loop}, in a fiber: {F.IsInFiber}");
                    await F.Yield();
                    Line("yields again");
                }
            });
        }));
        Assert.Equal(["back on the loop: True, in a fiber: True", "yields again"], trace);
    }

    [Fact]
    public void An_opt_in_fiber_that_escapes_its_loop_fails_its_switch_instead_of_hanging()
    {
        var trace = Bounded.Run(() => Eio.Run(async _ =>
        {
            try
            {
                // The gate opens in a later fiber's step, after the escaping fiber's step has ended and its escape watch is
                // armed; its continuation runs on the pool (RunContinuationsAsynchronously), outside the fiber.
                var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                await Switch.Run(sw =>
                {
                    F.Fork(sw, Escapes);
                    F.Fork(sw, async () =>
                    {
                        await F.Yield();
                        gate.SetResult();
                    });
                    return ValueTask.CompletedTask;

                    [AsyncMethodBuilder(typeof(FiberMethodBuilder))]
                    async ValueTask Escapes() => await gate.Task.ConfigureAwait(false);
                });
                Line("not reached");
            }
            catch (InvalidOperationException e)
            {
                Line(e.Message.Contains("off its loop", StringComparison.Ordinal) ? "switch failed: fiber finished off its loop" : e.Message);
            }
        }));
        Assert.Equal(["switch failed: fiber finished off its loop"], trace);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Opt_in_fibers_on_two_loops_share_a_stream_and_promises_across_threads(int capacity)
    {
        // Items cross between two real-time loops on two threads, and each item is answered through a promise resolved
        // from the other thread: every wake-up of a parked box comes from a thread that is not the fiber's own.
        const int n = 3000;
        var stream = new FiberStream<(int Item, FiberResolver<int> Reply)>(capacity);
        var replies = new List<int>();
        var consumer = Task.Run(() => F.Run([AsyncMethodBuilder(typeof(FiberMethodBuilder))] async ValueTask (_) =>
        {
            for (int i = 0; i < n; i++)
            {
                var (item, reply) = await stream.Take();
                reply.Resolve(item * 2);
            }
        }));
        var producer = Task.Run(() => F.Run([AsyncMethodBuilder(typeof(FiberMethodBuilder))] async ValueTask (_) =>
        {
            for (int i = 0; i < n; i++)
            {
                var (promise, resolver) = FiberPromise.Create<int>();
                await stream.Add((i, resolver));
                replies.Add(await Doubled(promise));
            }
        }));
        Assert.True(Task.WaitAll([consumer, producer], Bounded.DefaultLimit), "the loops did not finish in time");
        Assert.Equal(Enumerable.Range(0, n).Select(i => i * 2), replies);

        [AsyncMethodBuilder(typeof(FiberMethodBuilder<>))]
        static async ValueTask<int> Doubled(FiberPromise<int> promise) => await promise;
    }

    [Fact]
    public void Starting_a_second_wait_while_parked_is_reported_not_lost()
    {
        var trace = Eio.Run(async _ =>
        {
            var stream = new FiberStream<int>(0);
            await Switch.Run(sw =>
            {
                F.Fork(sw, Body);
                F.Fork(sw, async () => await stream.Add(1));
                return ValueTask.CompletedTask;

                [AsyncMethodBuilder(typeof(FiberMethodBuilder))]
                async ValueTask Body()
                {
                    var pending = TakeOne(); // not awaited: parks the fiber on the stream
                    try
                    {
                        await F.Yield();
                    }
                    catch (InvalidOperationException e) when (e.Message.Contains("two awaits are pending", StringComparison.Ordinal))
                    {
                        Line("second wait refused");
                    }

                    Line($"first wait still delivers {await pending}");
                }

                [AsyncMethodBuilder(typeof(FiberMethodBuilder<>))]
                async ValueTask<int> TakeOne() => await stream.Take();
            });
        });
        Assert.Equal(["second wait refused", "first wait still delivers 1"], trace);
    }

    [Fact]
    public async Task Outside_fibers_it_is_an_ordinary_ValueTask_builder()
    {
        Assert.Equal(7, await Task.Run(async () => await Later(7)));
        Assert.Equal(8, await Later(8).AsTask());

        var once = Later(9);
        Assert.Equal(9, await once);

        [AsyncMethodBuilder(typeof(FiberMethodBuilder<>))]
        static async ValueTask<int> Later(int n)
        {
            await Task.Yield(); // suspends: the rest runs on the thread pool
            await Task.Yield();
            return n;
        }
    }

    [Fact]
    public void Many_opt_in_fibers_with_random_yields_and_cancellations_all_finish_once()
    {
        const int fibers = 20_000;
        var finished = new int[fibers];
        var added = new bool[fibers];
        int cancelled = 0;
        long sum = 0;
        var rng = new Random(7);
        var plan = Enumerable.Range(0, fibers).Select(_ => (Yields: rng.Next(5), Cancel: rng.Next(10) == 0)).ToArray();
        var stream = new FiberStream<int>(3);
        var trace = Eio.Run(async _ =>
        {
            await Switch.Run(sw =>
            {
                F.ForkDaemon(sw, async () =>
                {
                    while (true)
                    {
                        sum += await stream.Take();
                    }
                });
                for (int i = 0; i < fibers; i++)
                {
                    int id = i;
                    F.Fork(sw, [AsyncMethodBuilder(typeof(FiberMethodBuilder))] async ValueTask () =>
                    {
                        try
                        {
                            await Cancel.Sub(async scope =>
                            {
                                for (int k = 0; k < plan[id].Yields; k++)
                                {
                                    await F.Yield();
                                    if (plan[id].Cancel && k == 1)
                                    {
                                        scope.Cancel(new Failure("random"));
                                    }
                                }

                                await stream.Add(id);
                                added[id] = true;
                            });
                        }
                        catch (CancelledException)
                        {
                            cancelled++;
                        }

                        finished[id]++;
                    });
                }

                return ValueTask.CompletedTask;
            });
            while (stream.TryTake(out int left))
            {
                sum += left; // added after the consumer's last take
            }
        });
        Assert.Empty(trace);
        Assert.All(finished, count => Assert.Equal(1, count));
        Assert.Equal(fibers, cancelled + added.Count(a => a));
        Assert.InRange(cancelled, plan.Count(p => p.Cancel && p.Yields > 2), plan.Count(p => p.Cancel && p.Yields > 1));
        Assert.Equal(Enumerable.Range(0, fibers).Where(i => added[i]).Sum(i => (long)i), sum); // nothing lost or taken twice
    }

    [Fact]
    public void Plain_code_awaiting_a_method_that_finishes_in_a_fiber_resumes_off_the_loop_as_with_the_standard_builder()
    {
        // The awaiting code is no fiber code: its continuation must not run inside the fiber's step on the loop thread.
        Assert.Equal(["plain code resumed on the loop: False, in a fiber: False"], PlainAwaiter(optIn: false));
        Assert.Equal(PlainAwaiter(optIn: false), PlainAwaiter(optIn: true));

        static List<string> PlainAwaiter(bool optIn)
        {
            var seen = new List<string>();
            Task plain = Task.CompletedTask;
            Bounded.Run(() => Eio.Run(async _ =>
            {
                int loopThread = Environment.CurrentManagedThreadId;
                var (promise, resolver) = FiberPromise.Create<int>();
                await Switch.Run(async sw =>
                {
                    F.Fork(sw, () =>
                    {
                        var method = optIn ? OptIn(promise) : Standard(promise);
                        plain = Task.Run(async () =>
                        {
                            await method;
                            lock (seen)
                            {
                                seen.Add($"plain code resumed on the loop: {Environment.CurrentManagedThreadId == loopThread}, in a fiber: {F.IsInFiber}");
                            }
                        });
                        return ValueTask.CompletedTask;
                    });
                    await F.Yield();
                    resolver.Resolve(1);
                    await F.Yield(); // the method's fiber finishes it
                });
            }));
            Assert.True(plain.Wait(Bounded.DefaultLimit));
            return seen;
        }

        [AsyncMethodBuilder(typeof(FiberMethodBuilder))]
        static async ValueTask OptIn(FiberPromise<int> promise) => await promise;

        static async ValueTask Standard(FiberPromise<int> promise) => await promise;
    }

    [Fact]
    public void ConfigureAwait_false_on_a_method_that_finishes_on_the_loop_leaves_the_fiber_as_with_the_standard_builder()
    {
        Assert.Equal(["switch failed: off its loop"], Escape(optInCaller: false, optInCallee: false));
        Assert.Equal(Escape(optInCaller: false, optInCallee: false), Escape(optInCaller: false, optInCallee: true));
        Assert.Equal(Escape(optInCaller: false, optInCallee: false), Escape(optInCaller: true, optInCallee: true));

        static List<string> Escape(bool optInCaller, bool optInCallee) => Bounded.Run(() => Eio.Run(async _ =>
        {
            // The caller's last part runs on the pool only once the loop has ended the step that sent it there (a later
            // fiber's step says so): finishing before the loop looked would be a normal finish, not an escape to report.
            using var stepEnded = new ManualResetEventSlim();
            try
            {
                await Switch.Run(sw =>
                {
                    F.Fork(sw, optInCaller ? OptInCaller : StandardCaller);
                    F.Fork(sw, async () =>
                    {
                        await F.Yield();
                        stepEnded.Set();
                    });
                    return ValueTask.CompletedTask;
                });
            }
            catch (InvalidOperationException e) when (e.Message.Contains("off its loop", StringComparison.Ordinal))
            {
                Line("switch failed: off its loop");
            }

            [AsyncMethodBuilder(typeof(FiberMethodBuilder))]
            async ValueTask OptInCaller()
            {
                await (optInCallee ? OptInCallee() : StandardCallee()).ConfigureAwait(false);
                Assert.True(stepEnded.Wait(Bounded.DefaultLimit));
            }

            async ValueTask StandardCaller()
            {
                await (optInCallee ? OptInCallee() : StandardCallee()).ConfigureAwait(false);
                Assert.True(stepEnded.Wait(Bounded.DefaultLimit));
            }
        }));

        [AsyncMethodBuilder(typeof(FiberMethodBuilder))]
        static async ValueTask OptInCallee() => await F.Yield();

        static async ValueTask StandardCallee() => await F.Yield();
    }

    [Fact]
    public void A_method_turned_into_a_Task_completes_in_the_step_that_finished_it_as_with_the_standard_builder()
    {
        // AsTask (and so Task.WhenAll over it) is no await: like the standard builder's own Task, it completes inline, and
        // the fiber awaiting it continues before the fibers queued meanwhile.
        string[] expected = ["callee done", "after AsTask", "other 0", "other 1", "other 2"];
        Assert.Equal(expected, Order(optIn: false, whenAll: false));
        Assert.Equal(expected, Order(optIn: true, whenAll: false));
        Assert.Equal(expected, Order(optIn: true, whenAll: true));

        static List<string> Order(bool optIn, bool whenAll) => Eio.Run(async _ =>
        {
            await Switch.Run(sw =>
            {
                F.Fork(sw, async () =>
                {
                    var task = (optIn ? OptInCallee() : StandardCallee()).AsTask();
                    await (whenAll ? Task.WhenAll(task) : task);
                    Line("after AsTask");
                });
                F.Fork(sw, async () =>
                {
                    for (int i = 0; i < 3; i++)
                    {
                        await F.Yield();
                        Line($"other {i}");
                    }
                });
                return ValueTask.CompletedTask;
            });
        });

        [AsyncMethodBuilder(typeof(FiberMethodBuilder))]
        static async ValueTask OptInCallee()
        {
            await F.Yield();
            Line("callee done");
        }

        static async ValueTask StandardCallee()
        {
            await F.Yield();
            Line("callee done");
        }
    }

    [Fact]
    public void A_scheduler_that_refuses_a_waiter_loses_only_that_waiter()
    {
        // As with a Task: the refused continuation never runs, and neither the completing thread nor the method's other
        // waiters hear about it.
        var resumed = Bounded.Run(() =>
        {
            var pair = new ConcurrentExclusiveSchedulerPair();
            var gate = new TaskCompletionSource();
            var method = WaitFor(gate.Task);
            var registered = new ManualResetEventSlim();
            _ = Task.Factory.StartNew(
                () =>
                {
                    _ = AwaitIt(method); // registers under the pair's scheduler
                    registered.Set();
                },
                CancellationToken.None,
                TaskCreationOptions.None,
                pair.ConcurrentScheduler);
            Assert.True(registered.Wait(Bounded.DefaultLimit));
            var other = AwaitIt(method); // a second waiter, registered after the refused one
            pair.Complete(); // from now on the scheduler refuses work
            Assert.True(pair.Completion.Wait(Bounded.DefaultLimit));
            gate.SetResult(); // must not throw
            return other.Wait(Bounded.DefaultLimit);
        });
        Assert.True(resumed);

        static async Task AwaitIt(ValueTask method) => await method;

        [AsyncMethodBuilder(typeof(FiberMethodBuilder))]
        static async ValueTask WaitFor(Task gate) => await gate;
    }

    [Fact]
    public void A_long_chain_of_methods_finishing_at_once_continues_without_overflowing_the_stack()
    {
        // Completing the leaf continues every caller inline until the stack runs low; then the rest is queued (a Task
        // checks the same). Without that check this ends the test process with a stack overflow.
        Bounded.Run(() =>
        {
            var leaf = new TaskCompletionSource();
            var reached = new ManualResetEventSlim();
            var top = Chain(50_000, leaf.Task, reached);
            Assert.True(reached.Wait(Bounded.DefaultLimit));
            leaf.SetResult();
            Assert.True(top.AsTask().Wait(Bounded.DefaultLimit));
            return 0;
        });

        [AsyncMethodBuilder(typeof(FiberMethodBuilder))]
        static async ValueTask Chain(int depth, Task leaf, ManualResetEventSlim reached)
        {
            await Task.Yield();
            if (depth == 0)
            {
                reached.Set();
                await leaf;
                return;
            }

            await Chain(depth - 1, leaf, reached);
        }
    }

    [Fact]
    public void A_synchronization_context_set_after_resuming_stays_in_the_method()
    {
        var after = Bounded.Run(() =>
        {
            var gate = new TaskCompletionSource();
            var method = SetsContext(gate.Task);
            gate.SetResult(); // resumes the method inline, on this thread (which has no context)
            GC.KeepAlive(method);
            return SynchronizationContext.Current;
        });
        Assert.Null(after);

        [AsyncMethodBuilder(typeof(FiberMethodBuilder))]
        static async ValueTask SetsContext(Task gate)
        {
            await gate;
            SynchronizationContext.SetSynchronizationContext(new SynchronizationContext());
            await new TaskCompletionSource().Task; // never finishes
        }
    }

    [Fact]
    public void Two_awaits_of_one_method_both_resume_as_with_a_Task_backed_ValueTask()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var method = WaitFor(gate.Task);
        var first = Await(method);
        var second = Await(method);
        gate.SetResult();
        Assert.True(Task.WhenAll(first, second).Wait(Bounded.DefaultLimit), "an await was never resumed");
        Assert.Equal((1, 1), (first.Result, second.Result));

        static async Task<int> Await(ValueTask<int> method) => await method;

        [AsyncMethodBuilder(typeof(FiberMethodBuilder<>))]
        static async ValueTask<int> WaitFor(Task gate)
        {
            await gate;
            return 1;
        }
    }

    [Fact]
    public void Under_a_custom_TaskScheduler_the_awaiting_code_continues_inline_as_with_the_standard_builder()
    {
        string[] expected = ["inner done", "outer resumed", "after SetResult"];
        Assert.Equal(expected, Order(optIn: false));
        Assert.Equal(expected, Order(optIn: true));

        static List<string> Order(bool optIn)
        {
            var log = new List<string>();
            var exclusive = new ConcurrentExclusiveSchedulerPair().ExclusiveScheduler;
            var run = Task.Factory.StartNew(
                async () =>
                {
                    var gate = new TaskCompletionSource();
                    var inner = optIn ? OptInInner(gate.Task, log) : StandardInner(gate.Task, log);
                    var outer = Outer(inner, log);
                    gate.SetResult();
                    log.Add("after SetResult");
                    await outer;
                },
                CancellationToken.None,
                TaskCreationOptions.None,
                exclusive).Unwrap();
            Assert.True(run.Wait(Bounded.DefaultLimit));
            return log;
        }

        static async Task Outer(ValueTask inner, List<string> log)
        {
            await inner;
            log.Add("outer resumed");
        }

        [AsyncMethodBuilder(typeof(FiberMethodBuilder))]
        static async ValueTask OptInInner(Task gate, List<string> log)
        {
            await gate;
            log.Add("inner done");
        }

        static async ValueTask StandardInner(Task gate, List<string> log)
        {
            await gate;
            log.Add("inner done");
        }
    }

    [Fact]
    public void Reading_the_result_of_an_unfinished_method_throws_instead_of_blocking()
    {
        // A documented difference: the standard builder's Task-backed ValueTask would block the reading thread — in a
        // fiber, the loop itself, for good.
        var gate = new TaskCompletionSource();
        var method = WaitFor(gate.Task);
        var error = Assert.Throws<InvalidOperationException>(() => method.GetAwaiter().GetResult());
        Assert.Contains("has not finished", error.Message, StringComparison.Ordinal);
        gate.SetResult();

        [AsyncMethodBuilder(typeof(FiberMethodBuilder))]
        static async ValueTask WaitFor(Task gate) => await gate;
    }

    [Fact]
    public void The_fast_paths_find_the_ValueTask_fields_they_read_on_this_runtime()
    {
        // If a runtime renamed them, the probes turn the fast paths off (standard path: slower, still correct); this
        // test says so rather than letting the speed vanish unnoticed.
        Assert.True(ValueTaskParts.Available);
        Assert.NotNull(ValueTaskParts<ValueTaskAwaiter<int>>.Reader);
        Assert.NotNull(ValueTaskParts<ValueTaskAwaiter<string>>.Reader);
        Assert.Null(ValueTaskParts<TaskAwaiter<int>>.Reader);
    }

    private static async ValueTask Interleave(Func<string, ValueTask> worker)
    {
        await Switch.Run(async sw =>
        {
            F.Fork(sw, () => worker("a"));
            F.Fork(sw, () => worker("b"));
            Line("main after forks");
            await F.Yield();
            Line("main resumed");
        });
    }

    private static async ValueTask StandardWorker(string name)
    {
        for (int i = 0; i < 3; i++)
        {
            Line($"{name}{i}");
            await F.Yield();
        }

        Line($"{name} done");
    }

    [AsyncMethodBuilder(typeof(FiberMethodBuilder))]
    private static async ValueTask OptInWorker(string name)
    {
        for (int i = 0; i < 3; i++)
        {
            Line($"{name}{i}");
            await F.Yield();
        }

        Line($"{name} done");
    }

    private static async ValueTask CallerAndCallee(Func<ValueTask> callee, bool optInCaller)
    {
        await Switch.Run(sw =>
        {
            F.Fork(sw, async () => { Line("queued: start"); await F.Yield(); Line("queued: runs"); await F.Yield(); Line("queued: again"); });
            F.Fork(sw, optInCaller ? OptInCaller : StandardCaller);
            return ValueTask.CompletedTask;
        });

        async ValueTask StandardCaller()
        {
            await callee();
            Line("caller continues");
        }

        [AsyncMethodBuilder(typeof(FiberMethodBuilder))]
        async ValueTask OptInCaller()
        {
            await callee();
            Line("caller continues");
        }
    }

    private static async ValueTask StandardCallee()
    {
        Line("callee yields");
        await F.Yield();
        Line("callee done");
    }

    [AsyncMethodBuilder(typeof(FiberMethodBuilder))]
    private static async ValueTask OptInCallee()
    {
        Line("callee yields");
        await F.Yield();
        Line("callee done");
    }
}
