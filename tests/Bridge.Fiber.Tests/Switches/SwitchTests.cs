using Bridge.Fiber.Tests.Support;
using Bridge.Fibers;
using static Bridge.Fibers.Trace;
using F = Bridge.Fibers.Fiber;

namespace Bridge.Fiber.Tests.Switches;

/// <summary>Switch.Run: waiting for fibers, failing, release hooks and error reporting.</summary>
public class SwitchTests
{
    private static List<string> Run(Func<Switch, ValueTask> body) => Eio.Run(async _ => await Switch.Run(body));

    /// <summary>Forks a fiber running a child switch; the child's error goes to <paramref name="onError"/>, its cancellation is ignored.</summary>
    private static void ForkSub(Switch sw, Action<Exception> onError, Func<Switch, ValueTask> body) =>
        F.Fork(sw, async () =>
        {
            try
            {
                await Switch.Run(body);
            }
            catch (CancelledException)
            {
            }
            catch (Exception ex)
            {
                onError(ex);
            }
        });

    private static async ValueTask Release(string label)
    {
        await F.Yield();
        Line($"release {label}");
    }

    [Fact]
    public void A_basic_switch_runs_its_body()
    {
        Assert.Equal(["Running"], Run(_ => { Line("Running"); return ValueTask.CompletedTask; }));
    }

    [Fact]
    public void A_failed_switch_still_allows_clean_up()
    {
        var trace = Run(sw =>
        {
            Line("Running");
            sw.Fail(new Failure("Cancel"));
            Line("Clean up");
            return ValueTask.CompletedTask;
        });
        Assert.Equal(["Running", "Clean up", "Exception: Failure(\"Cancel\")"], trace);
    }

    [Fact]
    public void Check_throws_cancelled_after_fail()
    {
        var trace = Run(sw =>
        {
            sw.Check();
            sw.Fail(new Failure("Cancel"));
            try
            {
                sw.Check();
            }
            catch (CancelledException e)
            {
                Line("Check: " + Eio.Show(e));
            }

            Line($"IsCancelled = {sw.IsCancelled}");
            return ValueTask.CompletedTask;
        });
        Assert.Equal(["Check: Cancelled: Failure(\"Cancel\")", "IsCancelled = True", "Exception: Failure(\"Cancel\")"], trace);
    }

    [Fact]
    public void Run_waits_for_every_fiber_and_returns_the_body_result()
    {
        var trace = Eio.Run(async () =>
        {
            int n = await Switch.Run(async sw =>
            {
                for (int i = 1; i <= 3; i++)
                {
                    int id = i;
                    F.Fork(sw, async () =>
                    {
                        for (int k = 0; k < id; k++)
                        {
                            await F.Yield();
                        }

                        Line($"fiber {id} done");
                    });
                }

                await ValueTask.CompletedTask;
                return 42;
            });
            return $"result {n}";
        });
        Assert.Equal(["fiber 1 done", "fiber 2 done", "fiber 3 done", "result 42"], trace);
    }

    [Fact]
    public void The_original_exception_instance_is_rethrown()
    {
        var original = new Failure("original");
        Exception? seen = null;
        F.RunMock(async _ =>
        {
            try
            {
                await Switch.Run(sw =>
                {
                    F.Fork(sw, async () => { await F.Yield(); throw original; });
                    return ValueTask.CompletedTask;
                });
            }
            catch (Exception e)
            {
                seen = e;
            }
        });
        Assert.Same(original, seen);
    }

    [Fact]
    public void Cancelled_is_only_reported_when_there_is_no_real_error()
    {
        var trace = Eio.Run(async _ =>
        {
            await Cancel.Sub(async scope =>
            {
                try
                {
                    await Switch.Run(async sw =>
                    {
                        F.Fork(sw, async () => await F.AwaitCancel());
                        scope.Cancel(new Failure("outer"));
                        await F.Yield();
                    });
                }
                catch (Exception e)
                {
                    Line("only cancellations: " + Eio.Show(e));
                }
            }).ConfigureAwait(true);
        });
        Assert.Equal(["only cancellations: Cancelled: Failure(\"outer\")"], trace);
    }

    [Fact]
    public void Promise_or_cancellation_cancellation_first()
    {
        var trace = Run(async sw =>
        {
            var (p, r) = FiberPromise.Create<int>();
            F.Fork(sw, async () => await F.Both(
                async () => { Line("Waiting"); await p; Line("Resolved"); },
                () => throw new Failure("Cancelled")));
            await F.Yield();
            r.Resolve(0);
            Line("Main thread done");
        });
        Assert.Equal(["Waiting", "Main thread done", "Exception: Failure(\"Cancelled\")"], trace);
    }

    [Fact]
    public void Promise_or_switch_promise_first()
    {
        var trace = Run(async sw =>
        {
            var (p, r) = FiberPromise.Create<int>();
            F.Fork(sw, async () => { Line("Waiting"); await p; Line("Resolved"); });
            r.Resolve(0);
            await F.Yield();
            Line("Now cancelling...");
            sw.Fail(new Failure("Cancelled"));
        });
        Assert.Equal(["Waiting", "Resolved", "Now cancelling...", "Exception: Failure(\"Cancelled\")"], trace);
    }

    [Fact]
    public void Promise_or_switch_switch_first()
    {
        var trace = Run(sw =>
        {
            var (p, r) = FiberPromise.Create<int>();
            F.Fork(sw, async () => { Line("Waiting"); await p; Line("Resolved"); });
            sw.Fail(new Failure("Cancelled"));
            r.Resolve(0);
            return ValueTask.CompletedTask;
        });
        Assert.Equal(["Waiting", "Exception: Failure(\"Cancelled\")"], trace);
    }

    [Fact]
    public void A_resolved_wait_still_returns_when_the_switch_is_cancelled_before_it_runs()
    {
        var trace = Run(sw =>
        {
            var (p, r) = FiberPromise.Create<int>();
            F.Fork(sw, async () => { Line("Waiting"); await p; Line("Resolved"); });
            r.Resolve(0);
            Line("Now cancelling...");
            sw.Fail(new Failure("Cancelled"));
            return ValueTask.CompletedTask;
        });
        Assert.Equal(["Waiting", "Now cancelling...", "Resolved", "Exception: Failure(\"Cancelled\")"], trace);
    }

    [Fact]
    public void Child_switches_are_cancelled_with_the_parent_without_reporting_errors()
    {
        var trace = Run(sw =>
        {
            var (p, _) = FiberPromise.Create<int>();
            void OnError(Exception ex) => Line("child: " + Eio.Show(ex));
            ForkSub(sw, OnError, async _ => { Line("Child 1"); await p; });
            ForkSub(sw, OnError, async _ => { Line("Child 2"); await p; });
            sw.Fail(new Failure("Cancel parent"));
            return ValueTask.CompletedTask;
        });
        Assert.Equal(["Child 1", "Child 2", "Exception: Failure(\"Cancel parent\")"], trace);
    }

    [Fact]
    public void A_child_can_fail_independently_of_the_parent()
    {
        var trace = Run(async sw =>
        {
            var (p1, r1) = FiberPromise.Create<int>();
            var (p2, r2) = FiberPromise.Create<int>();
            void OnError(Exception ex) => Line("child: " + Eio.Show(ex));
            ForkSub(sw, OnError, async _ => { Line("Child 1"); await p1; });
            ForkSub(sw, OnError, async _ => { Line("Child 2"); await p2; });
            r1.Reject(new Failure("Child error"));
            r2.Resolve(0);
            await F.Yield();
            Line("Parent fiber is still running");
        });
        Assert.Equal(["Child 1", "Child 2", "child: Failure(\"Child error\")", "Parent fiber is still running"], trace);
    }

    [Fact]
    public void A_child_can_be_cancelled_independently_of_the_parent()
    {
        var trace = Run(async sw =>
        {
            var (p, _) = FiberPromise.Create<int>();
            Switch? child = null;
            ForkSub(sw, ex => Line("child: " + Eio.Show(ex)), async csw =>
            {
                Line("Child 1");
                child = csw;
                await p;
            });
            child!.Fail(new Failure("Cancel child"));
            await F.Yield();
            Line("Parent fiber is still running");
        });
        Assert.Equal(["Child 1", "child: Failure(\"Cancel child\")", "Parent fiber is still running"], trace);
    }

    [Fact]
    public void A_child_error_handler_that_throws_fails_the_parent()
    {
        var trace = Run(async sw =>
        {
            var (p, r) = FiberPromise.Create<int>();
            ForkSub(sw, ex => throw ex, async _ => { Line("Child"); await p; });
            r.Reject(new Failure("Child error escapes"));
            await F.Yield();
            Line("Not reached");
        });
        Assert.Equal(["Child", "Exception: Failure(\"Child error escapes\")"], trace);
    }

    [Fact]
    public void Release_hooks_run_last_in_first_out_on_success_and_on_error()
    {
        Assert.Equal(["release 2", "release 1"], Run(sw =>
        {
            sw.OnRelease(() => Release("1"));
            sw.OnRelease(() => Release("2"));
            return ValueTask.CompletedTask;
        }));
        Assert.Equal(["release 2", "release 1", "Exception: Failure(\"Test error\")"], Run(sw =>
        {
            sw.OnRelease(() => Release("1"));
            sw.OnRelease(() => Release("2"));
            throw new Failure("Test error");
        }));
    }

    [Fact]
    public void Failing_release_hooks_do_not_stop_the_others_and_are_all_reported()
    {
        var trace = Run(sw =>
        {
            sw.OnRelease(async () => { await Release("1"); throw new Failure("failure 1"); });
            sw.OnRelease(() => Release("2"));
            sw.OnRelease(async () => { await Release("3"); throw new Failure("failure 3"); });
            return ValueTask.CompletedTask;
        });
        Assert.Equal(
            ["release 3", "release 2", "release 1", "Exception: Multiple exceptions:", "- Failure(\"failure 3\")", "- Failure(\"failure 1\")"],
            trace);
    }

    [Fact]
    public void Release_hooks_run_after_every_fiber_and_protected_from_cancellation()
    {
        var trace = Run(sw =>
        {
            sw.OnRelease(async () =>
            {
                Line($"hook: cancelled = {F.IsCancelled}");
                await Time.Sleep(TimeSpan.FromSeconds(1));
                Line("hook: slept");
            });
            F.Fork(sw, async () =>
            {
                try
                {
                    await F.AwaitCancel();
                }
                finally
                {
                    Line("fiber: finished");
                }
            });
            sw.Fail(new Failure("boom"));
            return ValueTask.CompletedTask;
        });
        Assert.Equal(["fiber: finished", "hook: cancelled = False", "mock time is now 1", "hook: slept", "Exception: Failure(\"boom\")"], trace);
    }

    [Fact]
    public void OnRelease_on_a_finished_switch_runs_the_hook_and_throws()
    {
        var trace = Run(async sw =>
        {
            var sub = await Switch.Run(s => ValueTask.FromResult(s));
            sw.Fail(new Failure("Parent cancelled too!"));
            sub.OnRelease(() => Line("release 1"));
        });
        Assert.Equal(
            ["release 1", "Exception: Multiple exceptions:", "- Failure(\"Parent cancelled too!\")", "- InvalidOperationException(\"Switch finished\")"],
            trace);
    }

    [Fact]
    public void A_late_hook_that_suspends_runs_in_its_own_fiber_and_leaves_the_caller_free()
    {
        var trace = Eio.Run(async _ =>
        {
            var sub = await Switch.Run(s => ValueTask.FromResult(s));
            try
            {
                sub.OnRelease(async () =>
                {
                    Line("hook starts");
                    await F.Yield();
                    Line("hook ends");
                });
            }
            catch (InvalidOperationException e)
            {
                Line("OnRelease: " + e.Message);
            }

            Line("caller continues");
            await F.Yield();
            Line("caller after yield");
            await Time.Sleep(TimeSpan.FromSeconds(1));
            Line("caller after sleep");
        });
        Assert.Equal(
            [
                "hook starts", "OnRelease: Switch finished (the release hook was started in a fiber of its own and continues)",
                "caller continues", "hook ends", "caller after yield", "mock time is now 1", "caller after sleep",
            ],
            trace);
    }

    [Fact]
    public void A_late_hook_still_running_when_main_returns_is_waited_for_and_its_failure_reported()
    {
        // Main returned while the hook slept; the run ended without it: "hook ends" and its exception were lost.
        var trace = Eio.Run(async _ =>
        {
            var sub = await Switch.Run(s => ValueTask.FromResult(s));
            try
            {
                sub.OnRelease(async () =>
                {
                    await Time.Sleep(TimeSpan.FromSeconds(1));
                    Line("hook ends");
                    throw new Failure("late hook failed");
                });
            }
            catch (InvalidOperationException)
            {
                Line("main returns");
            }
        });
        Assert.Equal(["main returns", "mock time is now 1", "hook ends", "Exception: Failure(\"late hook failed\")"], trace);
    }

    [Fact]
    public void A_late_hook_that_fails_at_once_is_reported_with_switch_finished()
    {
        var trace = Eio.Run(async _ =>
        {
            var sub = await Switch.Run(s => ValueTask.FromResult(s));
            sub.OnRelease(() => throw new Failure("hook failed"));
        });
        Assert.Equal(["Exception: Multiple exceptions:", "- Failure(\"hook failed\")", "- InvalidOperationException(\"Switch finished\")"], trace);
    }

    [Fact]
    public void Hooks_may_fork_onto_the_releasing_switch_and_it_waits_again()
    {
        var trace = Run(sw =>
        {
            sw.OnRelease(() => F.Fork(sw, async () =>
            {
                Line("Starting release 1");
                await F.Yield();
                Line("Finished release 1");
            }));
            sw.OnRelease(() => F.Fork(sw, async () =>
            {
                Line("Starting release 2");
                try
                {
                    sw.OnRelease(() => Line("Immediate release"));
                }
                catch (InvalidOperationException e)
                {
                    Line($"on_release refused: {e.Message}");
                }

                await F.Yield();
                Line("Finished release 2");
            }));
            Line("Main fiber done");
            return ValueTask.CompletedTask;
        });
        Assert.Equal(
            [
                "Main fiber done", "Starting release 2", "Immediate release", "on_release refused: Switch finished",
                "Starting release 1", "Finished release 2", "Finished release 1",
            ],
            trace);
    }

    [Fact]
    public void All_errors_are_reported_first_failure_first()
    {
        var trace = Run(sw =>
        {
            F.Fork(sw, async () => { try { await F.AwaitCancel(); } catch (CancelledException) { throw new Failure("cancel1 failed"); } });
            F.Fork(sw, async () => { try { await F.AwaitCancel(); } catch (CancelledException) { throw new Failure("cancel2 failed"); } });
            throw new Exit();
        });
        Assert.Equal(
            ["Exception: Multiple exceptions:", "- Exit", "- Failure(\"cancel1 failed\")", "- Failure(\"cancel2 failed\")"],
            trace);
    }

    [Fact]
    public void Errors_during_clean_up_are_reported_after_the_cause()
    {
        var trace = Run(sw =>
        {
            F.Fork(sw, async () => await Switch.Run(async _ =>
            {
                try
                {
                    await F.AwaitCancel();
                }
                catch (CancelledException)
                {
                    throw new Failure("cleanup failed");
                }
            }));
            F.Fork(sw, () => throw new Failure("simulated error"));
            return ValueTask.CompletedTask;
        });
        Assert.Equal(["Exception: Multiple exceptions:", "- Failure(\"simulated error\")", "- Failure(\"cleanup failed\")"], trace);
    }

    [Fact]
    public void Run_checks_the_callers_cancellation_on_entry_but_RunProtected_does_not()
    {
        var trace = Eio.Run(async _ =>
        {
            await Cancel.Sub(async scope =>
            {
                scope.Cancel(new Failure("outer"));
                try
                {
                    await Switch.Run(_ => { Line("not reached"); return ValueTask.CompletedTask; });
                }
                catch (CancelledException e)
                {
                    Line("Run: " + Eio.Show(e));
                }

                int r = await Switch.RunProtected(async sw =>
                {
                    F.Fork(sw, async () => { await Time.Sleep(TimeSpan.FromSeconds(2)); Line("protected fiber slept"); });
                    await F.Yield();
                    Line($"protected body: cancelled = {F.IsCancelled}");
                    return 7;
                });
                Line($"RunProtected returned {r}; caller cancelled = {F.IsCancelled}");
            });
        });
        Assert.Equal(
            [
                "Run: Cancelled: Failure(\"outer\")", "protected body: cancelled = False", "mock time is now 2",
                "protected fiber slept", "RunProtected returned 7; caller cancelled = True",
            ],
            trace);
    }

    [Fact]
    public void RunProtected_can_still_fail_by_itself()
    {
        var trace = Eio.Run(async _ =>
            await Switch.RunProtected(sw =>
            {
                F.Fork(sw, async () => { try { await F.AwaitCancel(); } finally { Line("fiber cancelled"); } });
                sw.Fail(new Failure("inner"));
                return ValueTask.CompletedTask;
            }));
        Assert.Equal(["fiber cancelled", "Exception: Failure(\"inner\")"], trace);
    }

    [Fact]
    public void CancellationToken_is_cancelled_when_the_switch_is()
    {
        var trace = Run(sw =>
        {
            var token = sw.CancellationToken;
            token.Register(() => Line("token cancelled"));
            Line($"before: {token.IsCancellationRequested}");
            sw.Fail(new Failure("stop"));
            Line($"after: {token.IsCancellationRequested}");
            return ValueTask.CompletedTask;
        });
        Assert.Equal(["before: False", "token cancelled", "after: True", "Exception: Failure(\"stop\")"], trace);
    }

    [Fact]
    public void CancellationToken_of_a_finished_switch_is_refused_like_its_other_operations()
    {
        // It used to hand out a fresh token that nothing would ever cancel (or throw ObjectDisposedException when one had
        // been created during the run).
        var trace = Eio.Run(async _ =>
        {
            var sub = await Switch.Run(s => ValueTask.FromResult(s));
            try
            {
                Line($"token: {sub.CancellationToken.IsCancellationRequested}");
            }
            catch (InvalidOperationException e)
            {
                Line(e.Message);
            }
        });
        Assert.Equal(["Switch finished"], trace);
    }
}
