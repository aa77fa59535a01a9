using Bridge.Runtimes;

namespace PromiseTests.Runtime;

public class RunTests
{
    [Fact]
    public void Run_returns_value() => Assert.Equal(5, TestLoop.Run(() => Promise.FromResult(5)));

    [Fact]
    public void Run_throws_rejection() =>
        Assert.Equal("x", Assert.Throws<TestException>(() => TestLoop.Run(() => Promise.FromException<int>(new TestException("x")))).Message);

    [Fact]
    public void Run_sync_throw_is_rejection() =>
        Assert.Throws<TestException>(() => TestLoop.Run<int>(() => throw new TestException()));

    [Fact]
    public void Run_sets_loop_current() => TestLoop.Run(() =>
    {
        Assert.NotNull(EventLoop.Current);
    });

    [Fact]
    public void Nested_run_throws() => TestLoop.Run(() =>
    {
        var ex = Assert.Throws<InvalidOperationException>(() => Promise.Run(() => Promise.Unit));
        Assert.Contains("Nested", ex.Message);
        Assert.Throws<InvalidOperationException>(() => Promise.Run(TestLoop.NewLoop(), () => Promise.Unit));
    });

    [Fact]
    public void Run_pending_forever_reports_deadlock() =>
        Assert.Throws<DeadlockException>(() => TestLoop.Run(() => Promise.Create<int>().Promise));

    [Fact]
    public void Run_with_promise_argument()
    {
        var loop = TestLoop.NewLoop();
        Assert.Equal(3, Promise.Run(loop, Promise.FromResult(3)));
        Assert.Throws<ArgumentNullException>(() => Promise.Run(loop, (Promise<int>)null!));
        Assert.Throws<ArgumentNullException>(() => Promise.Run(loop, (Func<Promise<int>>)null!));
        Assert.Throws<ArgumentNullException>(() => Promise.Run(null!, () => Promise.Unit));
    }

    [Fact]
    public void Consecutive_runs_on_one_loop_keep_pending_work()
    {
        var loop = TestLoop.NewLoop();
        Promise<Unit>? sleeper = null;
        Promise.Run(loop, () =>
        {
            sleeper = Promise.Sleep(TimeSpan.FromSeconds(5));
            return Promise.Unit;
        });
        Assert.True(sleeper!.IsPending);
        Promise.Run(loop, sleeper);
        Assert.Equal(PromiseState.Fulfilled, sleeper.State);
    }

    [Fact]
    public void Default_loop_run_works_and_persists()
    {
        Assert.Equal(1, Promise.Run(() => Promise.FromResult(1)));
        Assert.Equal(2, Promise.Run(Promise.FromResult(2)));
    }

    [Fact]
    public void Run_returns_as_soon_as_resolved() => TestLoop.Run(() =>
    {
        var loop = EventLoop.Current!;
        var ranLater = false;
        loop.Enqueue(_ => ranLater = true, null);
        return Promise.Unit.Map(_ =>
        {
            Assert.False(ranLater);
            return 0;
        });
    });

    [Fact]
    public void Sleep_uses_virtual_time() => TestLoop.Run(() =>
    {
        var loop = EventLoop.Current!;
        var start = loop.Elapsed;
        return Promise.Sleep(TimeSpan.FromHours(1)).Bind(_ => Promise.Pause()).Map(_ =>
        {
            Assert.Equal(TimeSpan.FromHours(1), loop.Elapsed - start);
            return 0;
        });
    });

    [Fact]
    public void Sleeps_fire_in_deadline_order() => TestLoop.Run(() =>
    {
        var log = new Log();
        var a = Promise.Sleep(TimeSpan.FromSeconds(2)).Map(_ => { log.Add("2"); return default(Unit); });
        var b = Promise.Sleep(TimeSpan.FromSeconds(1)).Map(_ => { log.Add("1"); return default(Unit); });
        var c = Promise.Sleep(TimeSpan.FromSeconds(3)).Map(_ => { log.Add("3"); return default(Unit); });
        return Promise.Join(a, b, c).Map(_ =>
        {
            Assert.Equal("1,2,3", log.ToString());
            return 0;
        });
    });

    [Fact]
    public void Sleep_zero_does_not_fire_synchronously() => TestLoop.Run(() =>
    {
        var p = Promise.Sleep(TimeSpan.Zero);
        Assert.True(p.IsPending);
        return p;
    });

    [Fact]
    public void Sleep_negative_throws() => Assert.Throws<ArgumentOutOfRangeException>(() => Promise.Sleep(TimeSpan.FromSeconds(-1)));

    [Fact]
    public void Sleep_cancel_stops_timer() => TestLoop.Run(() =>
    {
        var p = Promise.Sleep(TimeSpan.FromSeconds(10));
        p.Cancel();
        Assert.True(p.IsCanceled);
    });

    [Fact]
    public void Timeout_rejects_with_TimeoutException() =>
        Assert.Throws<TimeoutException>(() => TestLoop.Run(() => Promise.Timeout<int>(TimeSpan.FromSeconds(1))));

    [Fact]
    public void WithTimeout_fast_work_wins() => Assert.Equal(1, TestLoop.Run(() =>
        Promise.WithTimeout(TimeSpan.FromSeconds(5), () => Promise.Sleep(TimeSpan.FromSeconds(1)).Map(_ => 1))));

    [Fact]
    public void WithTimeout_slow_work_is_canceled() => TestLoop.Run(() =>
    {
        Promise<int>? work = null;
        var p = Promise.WithTimeout(TimeSpan.FromSeconds(1), () => work = Promise.Sleep(TimeSpan.FromSeconds(5)).Map(_ => 1));
        return p.Catch(e =>
        {
            Assert.IsType<TimeoutException>(e);
            Assert.True(work!.IsCanceled);
            return Promise.FromResult(0);
        });
    });

    [Fact]
    public void WithTimeout_null_throws() => Assert.Throws<ArgumentNullException>(() => Promise.WithTimeout<int>(TimeSpan.Zero, null!));

    [Fact]
    public void AsyncExceptionHook_is_per_loop()
    {
        var seen = new List<string>();
        TestLoop.Run(() =>
        {
            Promise.AsyncExceptionHook = e => seen.Add(e.Message);
            Promise.Async<Unit>(() => throw new TestException("a"));
        });
        Assert.Throws<TestException>(() => TestLoop.Run(() => Promise.Async<Unit>(() => throw new TestException("b"))));
        Assert.Equal(new[] { "a" }, seen);
    }

    [Fact]
    public void Multiple_async_errors_aggregate() =>
        Assert.Throws<AggregateException>(() => TestLoop.Run(() =>
        {
            Promise.Async<Unit>(() => throw new TestException("a"));
            Promise.Async<Unit>(() => throw new TestException("b"));
        }));

    [Fact]
    public void Detach_runs_off_loop_and_delivers_on_loop()
    {
        var loop = TestLoop.NewLoop();
        var result = Promise.Run(loop, () =>
        {
            var loopThread = Environment.CurrentManagedThreadId;
            return Promise.Detach(() => Environment.CurrentManagedThreadId).Map(worker =>
            {
                Assert.NotEqual(loopThread, worker);
                Assert.Equal(loopThread, Environment.CurrentManagedThreadId);
                return 1;
            });
        });
        Assert.Equal(1, result);
    }

    [Fact]
    public void Detach_exception_rejects() =>
        Assert.Throws<TestException>(() => TestLoop.Run(() => Promise.Detach<int>(() => throw new TestException())));

    [Fact]
    public void Detach_action_and_null() => TestLoop.Run(() =>
    {
        Assert.Throws<ArgumentNullException>(() => Promise.Detach((Action)null!));
        Assert.Throws<ArgumentNullException>(() => Promise.Detach<int>(null!));
        var ran = false;
        return Promise.Detach(() => { ran = true; }).Map(_ =>
        {
            Assert.True(ran);
            return 0;
        });
    });

    [Fact]
    public void Detach_result_is_not_cancelable() => TestLoop.Run(() =>
    {
        var gate = new ManualResetEventSlim();
        var p = Promise.Detach(() =>
        {
            gate.Wait();
            return 5;
        });
        p.Cancel();
        Assert.True(p.IsPending);
        gate.Set();
        return p;
    });

    [Fact]
    public void RunInMain_from_detach_runs_on_loop() => Assert.Equal(43, TestLoop.Run(() =>
    {
        var loopThread = Environment.CurrentManagedThreadId;
        return Promise.Detach(() => Promise.RunInMain(() =>
        {
            Assert.Equal(loopThread, Environment.CurrentManagedThreadId);
            // (virtual time does not advance while a detached job is tracked, so wait on a pause, not a sleep)
            return Promise.Pause().Map(_ => 42);
        }) + 1);
    }));

    [Fact]
    public void RunInMain_rethrows_in_worker() => Assert.True(TestLoop.Run(() =>
        Promise.Detach(() =>
        {
            try
            {
                Promise.RunInMain<int>(() => throw new TestException());
                return false;
            }
            catch (TestException)
            {
                return true;
            }
        })));

    [Fact]
    public void RunInMain_on_loop_thread_throws() => TestLoop.Run(() =>
    {
        Assert.Throws<InvalidOperationException>(() => Promise.RunInMain(() => Promise.Unit));
        Assert.Throws<InvalidOperationException>(() => Promise.RunInMain(EventLoop.Current!, () => Promise.Unit));
    });

    [Fact]
    public void RunInMain_outside_detach_without_loop_throws() =>
        Assert.Throws<InvalidOperationException>(() => Task.Run(() => Promise.RunInMain(() => Promise.Unit)).GetAwaiter().GetResult());

    [Fact]
    public void Resolve_from_worker_thread_is_refused_with_hint() => TestLoop.Run(() =>
    {
        var (p, r) = Promise.Create<int>();
        return Promise.Detach(() =>
        {
            try
            {
                r.Resolve(1);
                return "no";
            }
            catch (InvalidOperationException e)
            {
                return e.Message;
            }
        }).Map(msg =>
        {
            Assert.Contains("RunInMain", msg);
            Assert.True(p.IsPending);
            return 0;
        });
    });

    [Fact]
    public void A_detached_job_that_ends_after_its_loop_was_disposed_does_not_end_the_process()
    {
        // Its result was posted to the closed loop, which threw on a pool thread. Nothing can receive it now: dropped.
        using var gate = new ManualResetEventSlim();
        using var jobDone = new ManualResetEventSlim();
        var loop = TestLoop.NewLoop();
        Promise.Run(loop, () =>
        {
            _ = Promise.Detach(() =>
            {
                gate.Wait(TimeSpan.FromSeconds(30));
                jobDone.Set();
                return 1;
            });
            return Promise.FromResult(0);
        });
        loop.Dispose();
        gate.Set();
        Assert.True(jobDone.Wait(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void RunInMain_fails_instead_of_waiting_forever_when_the_loop_is_disposed_first()
    {
        var loop = TestLoop.NewLoop();
        using var posted = new ManualResetEventSlim();
        var worker = Task.Run(() => Promise.RunInMain(loop, () =>
        {
            posted.Set();
            return Promise.FromResult(1);
        }));
        // The loop never runs: wait until the work is queued (or already refused), then dispose it.
        SpinWait.SpinUntil(() => loop.HasQueuedWork || worker.IsCompleted, TimeSpan.FromSeconds(30));
        Assert.Throws<InvalidOperationException>(loop.Dispose); // it reports the queued item
        var e = Assert.Throws<AggregateException>(() => worker.Wait(TimeSpan.FromSeconds(30)));
        Assert.IsType<InvalidOperationException>(e.InnerException);
        Assert.False(posted.IsSet);
    }

    [Fact]
    public void A_promise_awaited_on_a_loop_since_disposed_resumes_its_awaiter_on_the_thread_pool()
    {
        // The awaiting continuation went to the dead loop: dropped on its thread, or thrown into the resolver elsewhere.
        var (promise, resolver) = Promise.Create<int>();
        var after = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task AwaitIt() => after.SetResult(await promise);
        var loop = TestLoop.NewLoop();
        Promise.Run(loop, () =>
        {
            _ = AwaitIt();
            return Promise.FromResult(0);
        });
        loop.Dispose();
        Promise.Run(TestLoop.NewLoop(), () =>
        {
            resolver.Resolve(5); // must not throw for the other, dead loop
            return Promise.FromResult(0);
        });
        Assert.True(after.Task.Wait(TimeSpan.FromSeconds(30)));
        Assert.Equal(5, after.Task.Result);
    }
}
