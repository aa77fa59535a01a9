using Bridge.Fiber.Tests.Support;
using Bridge.Fibers;
using static Bridge.Fibers.Trace;
using F = Bridge.Fibers.Fiber;

namespace Bridge.Fiber.Tests.FiberTests;

/// <summary>Both, All, Pair, First, Any and NAny: who runs, who wins, how failures combine.</summary>
public class CombinatorTests
{
    private static ValueTask<string> Value(string s) => ValueTask.FromResult(s);

    private static ValueTask<string> Crash(string message) => ValueTask.FromException<string>(new Failure(message));

    [Fact]
    public void First_in_a_cancelled_fiber_starts_no_branch()
    {
        // Eio's any enters a sub-context, which checks for cancellation first.
        var trace = Eio.Run(async _ =>
            await Cancel.Sub(async scope =>
            {
                scope.Cancel(new Failure("gone"));
                int r = await F.First<int>(
                    () => { Line("a ran"); return ValueTask.FromResult(1); },
                    () => { Line("b ran"); return ValueTask.FromResult(2); });
                Line($"First returned {r}");
            }));
        Assert.Equal(["Exception: Cancelled: Failure(\"gone\")"], trace);
    }

    [Fact]
    public void Map_with_max_fibers_does_not_start_the_next_element_after_a_failure()
    {
        // Eio fiber.md, "Handling exceptions while waiting for a free fiber": the limiter gives a slot back only when an
        // element succeeds, so the caller waiting for one is cancelled instead of starting element 1.
        var trace = Eio.Run(async _ =>
        {
            var promises = Enumerable.Range(0, 2).Select(_ => FiberPromise.Create<int>()).ToArray();
            await F.Both(
                async () => await F.Map(new[] { 0, 1 }, async i =>
                {
                    Line($"Start {i}");
                    return await promises[i].Promise;
                }, maxFibers: 1),
                async () =>
                {
                    await F.Yield();
                    promises[0].Resolver.Reject(new Failure("Simulated error"));
                });
        });
        Assert.Equal(["Start 0", "Exception: Failure(\"Simulated error\")"], trace);
    }

    [Fact]
    public void First_returns_the_first_and_cancels_the_second()
    {
        var (p, _) = FiberPromise.Create<string>();
        Assert.Equal(["a"], Eio.Run(() => F.First(() => Value("a"), async () => await p)));
    }

    [Fact]
    public void First_returns_the_second_and_cancels_the_first()
    {
        var (p, _) = FiberPromise.Create<string>();
        Assert.Equal(["b"], Eio.Run(() => F.First(async () => await p, () => Value("b"))));
    }

    [Fact]
    public void First_picks_the_first_when_both_succeed()
    {
        Assert.Equal(["a"], Eio.Run(() => F.First(() => Value("a"), () => Value("b"))));
    }

    [Fact]
    public void First_reports_a_crash_of_either_branch()
    {
        Assert.Equal(["Exception: Failure(\"b crashed\")"], Eio.Run(() => F.First(() => Value("a"), () => Crash("b crashed"))));
        Assert.Equal(["Exception: Failure(\"a crashed\")"], Eio.Run(() => F.First(() => Crash("a crashed"), () => Value("b"))));
    }

    [Fact]
    public void First_reports_both_crashes_first_failure_first()
    {
        var trace = Eio.Run(() => F.First(() => Crash("a crashed"), () => Crash("b crashed")));
        Assert.Equal(["Exception: Multiple exceptions:", "- Failure(\"a crashed\")", "- Failure(\"b crashed\")"], trace);
    }

    [Fact]
    public void First_cancels_a_branch_before_it_can_crash()
    {
        var trace = Eio.Run(() => F.First(() => Value("a"), async () =>
        {
            await F.Yield();
            throw new Failure("b crashed");
        }));
        Assert.Equal(["a"], trace);
    }

    [Fact]
    public void A_branch_claiming_to_be_cancelled_for_its_own_reason_is_an_error()
    {
        Assert.Equal(
            ["Exception: Cancelled: Failure(\"cancel-a\")"],
            Eio.Run(() => F.First(() => throw new CancelledException(new Failure("cancel-a")), () => Value("b"))));
        Assert.Equal(
            ["Exception: Cancelled: Failure(\"cancel-b\")"],
            Eio.Run(() => F.First(async () => { await F.Yield(); return "a"; }, () => throw new CancelledException(new Failure("cancel-b")))));
    }

    [Fact]
    public void First_cancelled_from_its_parent_reports_the_parent_error()
    {
        var (p, _) = FiberPromise.Create<string>();
        var trace = Eio.Run(async () =>
        {
            await F.Both(
                async () => throw new Failure(await F.First(async () => await p, async () => await p)),
                () => throw new Failure("Parent cancel"));
            return "not-reached";
        });
        Assert.Equal(["Exception: Failure(\"Parent cancel\")"], trace);
    }

    [Fact]
    public void A_winner_is_returned_even_when_the_parent_is_cancelled_meanwhile()
    {
        // Bridge's contract (DESIGN.md §4 / the spec's Fiber.any rule 5): a value that was produced is never lost.
        var trace = Eio.Run(async () =>
        {
            await F.Both(
                async () =>
                {
                    string x = await F.First(() => Value("a"), async () => { await F.Yield(); throw new Failure("cancel-b"); });
                    Line($"First returned {x} while cancelled: {F.IsCancelled}");
                },
                () => { Line("Cancelling parent"); throw new Failure("Parent cancel"); });
            return "not-reached";
        });
        Assert.Equal(["Cancelling parent", "First returned a while cancelled: True", "Exception: Failure(\"Parent cancel\")"], trace);
    }

    [Fact]
    public void A_winner_that_cancels_the_parent_itself_is_still_returned()
    {
        var trace = Eio.Run(async () =>
        {
            string r = await Cancel.Sub(async scope => await F.First(
                () =>
                {
                    scope.Cancel(new Failure("parent cancelled"));
                    return Value("winner");
                },
                async () =>
                {
                    await F.AwaitCancel();
                    return "loser";
                }));
            return r;
        });
        Assert.Equal(["winner"], trace);
    }

    [Fact]
    public void Losers_get_a_cancelled_exception()
    {
        var trace = Eio.Run(() => F.First(
            async () =>
            {
                try
                {
                    await F.AwaitCancel();
                    return "a";
                }
                catch (CancelledException e)
                {
                    Line($"loser: {e.GetType().Name}, reason {e.Reason.GetType().Name}");
                    throw;
                }
            },
            () => Value("b")));
        Assert.Equal(["loser: CancelledException, reason NotFirstException", "b"], trace);
    }

    [Fact]
    public void A_sub_switch_sees_cancelled_inside_and_the_original_error_outside()
    {
        var (p, _) = FiberPromise.Create<int>();
        var trace = Eio.Run(async () =>
        {
            await F.Both(
                async () =>
                {
                    try
                    {
                        await Switch.Run(async _ =>
                        {
                            try
                            {
                                await p;
                            }
                            catch (Exception ex)
                            {
                                Line("Nested exception: " + Eio.Show(ex));
                                throw;
                            }
                        });
                    }
                    catch (Exception ex)
                    {
                        Line("Parent exception: " + Eio.Show(ex));
                        throw;
                    }
                },
                () => throw new Exit());
            return "not-reached";
        });
        Assert.Equal(["Nested exception: Cancelled: Exit", "Parent exception: Cancelled: Exit", "Exception: Exit"], trace);
    }

    [Fact]
    public void Pair_returns_both_results()
    {
        Assert.Equal(["ab"], Eio.Run(async () =>
        {
            var (x, y) = await F.Pair(() => Value("a"), () => Value("b"));
            return x + y;
        }));
    }

    [Fact]
    public void Pair_runs_the_first_forked_and_the_second_in_the_caller()
    {
        var trace = Eio.Run(async () =>
        {
            var (x, y) = await F.Pair(
                async () => { Line("first starts"); await F.Yield(); Line("first ends"); return 1; },
                async () => { Line("second starts"); await F.Yield(); Line("second ends"); return 2; });
            return $"{x},{y}";
        });
        Assert.Equal(["first starts", "second starts", "first ends", "second ends", "1,2"], trace);
    }

    [Fact]
    public void Pair_failure_cancels_the_other()
    {
        var trace = Eio.Run(async () =>
        {
            await F.Pair(
                async () => { try { await F.AwaitCancel(); } catch (CancelledException) { Line("first cancelled"); throw; } return 1; },
                () => ValueTask.FromException<int>(new Failure("second failed")));
            return "not reached";
        });
        Assert.Equal(["first cancelled", "Exception: Failure(\"second failed\")"], trace);
    }

    [Fact]
    public void All_runs_in_list_order_and_accepts_an_empty_list()
    {
        var trace = Eio.Run(async () =>
        {
            await F.All();
            await F.All([.. Enumerable.Range(0, 3).Select(x => (Func<ValueTask>)(() => { Line($"fiber {x}"); return ValueTask.CompletedTask; }))]);
            return "done";
        });
        Assert.Equal(["fiber 0", "fiber 1", "fiber 2", "done"], trace);
    }

    [Fact]
    public void Both_interleaves_on_yield()
    {
        var trace = Eio.Run(async () =>
        {
            await F.Both(
                async () => { for (int i = 1; i <= 2; i++) { Line($"i = {i}"); await F.Yield(); } },
                async () => { for (int j = 1; j <= 2; j++) { Line($"j = {j}"); await F.Yield(); } });
            return "ok";
        });
        Assert.Equal(["i = 1", "j = 1", "i = 2", "j = 2", "ok"], trace);
    }

    [Fact]
    public void Both_only_the_first_succeeds()
    {
        var trace = Eio.Run(async _ => await F.Both(
            async () => { for (int i = 1; i <= 5; i++) { Line($"i = {i}"); await F.Yield(); } },
            () => throw new Failure("Failed")));
        Assert.Equal(["i = 1", "Exception: Failure(\"Failed\")"], trace);
    }

    [Fact]
    public void Both_only_the_second_succeeds()
    {
        var trace = Eio.Run(async _ => await F.Both(
            async () => { await F.Yield(); throw new Failure("Failed"); },
            async () => { for (int i = 1; i <= 5; i++) { Line($"i = {i}"); await F.Yield(); } }));
        Assert.Equal(["i = 1", "Exception: Failure(\"Failed\")"], trace);
    }

    [Fact]
    public void Both_when_the_first_fails_at_once_the_second_never_starts()
    {
        var trace = Eio.Run(async _ =>
        {
            await F.Both(() => throw new Failure("Failed"), () => { Line("Second OK"); return ValueTask.CompletedTask; });
            Line("Not reached");
        });
        Assert.Equal(["Exception: Failure(\"Failed\")"], trace);
    }

    [Fact]
    public void Both_when_the_second_fails_the_first_has_already_finished()
    {
        var trace = Eio.Run(async _ =>
        {
            await F.Both(() => { Line("first"); return ValueTask.CompletedTask; }, () => throw new Failure("Failed"));
            Line("not reached");
        });
        Assert.Equal(["first", "Exception: Failure(\"Failed\")"], trace);
    }

    [Fact]
    public void Both_failing_report_both_first_failure_first()
    {
        var trace = Eio.Run(async _ => await F.Both(
            async () => { await Cancel.Protect(async () => await F.Yield()); throw new Failure("Failed 1"); },
            async () => { await Cancel.Protect(async () => await F.Yield()); throw new Failure("Failed 2"); }));
        Assert.Equal(["Exception: Multiple exceptions:", "- Failure(\"Failed 1\")", "- Failure(\"Failed 2\")"], trace);
    }

    [Fact]
    public void Both_failures_are_an_AggregateException_with_the_original_instances()
    {
        var first = new Failure("one");
        var second = new Failure("two");
        var thrown = Assert.ThrowsAny<AggregateException>(() => F.RunMock(async _ => await F.Both(
            async () => { await Cancel.Protect(async () => await F.Yield()); throw second; },
            async () => { await Cancel.Protect(async () => { await F.Yield(); await F.Yield(); }); throw first; })));
        Assert.Equal([second, first], thrown.InnerExceptions);
    }

    [Fact]
    public void Forking_while_cancelled_starts_nothing()
    {
        var trace = Eio.Run(() => F.First(
            () => Crash("Simulated error"),
            async () =>
            {
                await F.Both(
                    () => { Line("Not reached"); return ValueTask.CompletedTask; },
                    () => { Line("Not reached"); return ValueTask.CompletedTask; });
                throw new InvalidOperationException("assert false");
            }));
        Assert.Equal(["Exception: Failure(\"Simulated error\")"], trace);
    }

    [Fact]
    public void Any_returns_the_first_to_return()
    {
        var trace = Eio.Run(async () =>
            (await F.Any([.. Enumerable.Range(0, 3).Select(x => (Func<ValueTask<int>>)(async () =>
            {
                Line($"{x}");
                await F.Yield();
                return x;
            }))])).ToString());
        Assert.Equal(["0", "1", "2", "0"], trace);
    }

    [Fact]
    public void Any_combines_results_that_return_after_the_winner()
    {
        var trace = Eio.Run(async () =>
        {
            int sum = await F.Any<int>([() => ValueTask.FromResult(1), () => ValueTask.FromResult(10), () => ValueTask.FromResult(100)], (a, b) => a + b);
            int first = await F.First(() => ValueTask.FromResult(1), () => ValueTask.FromResult(2), (a, b) => a * 10 + b);
            int cancelled = await F.Any<int>([async () => { await F.Yield(); return 1000; }, () => ValueTask.FromResult(5)], (a, b) => a + b);
            return $"{sum} {first} {cancelled}";
        });
        Assert.Equal(["111 12 5"], trace);
    }

    [Fact]
    public void Any_of_nothing_waits_until_cancelled()
    {
        var trace = Eio.Run(async _ => await F.Both(
            async () =>
            {
                try
                {
                    Line("waiting on Any([])");
                    await F.Any<int>([]);
                }
                catch (CancelledException e)
                {
                    Line("Any([]) " + Eio.Show(e));
                    throw;
                }
            },
            async () =>
            {
                await F.Yield();
                throw new Failure("stop");
            }));
        Assert.Equal(["waiting on Any([])", "Any([]) Cancelled: Failure(\"stop\")", "Exception: Failure(\"stop\")"], trace);
    }

    [Fact]
    public void NAny_returns_every_success_in_finishing_order()
    {
        var trace = Eio.Run(async () =>
        {
            var all = await F.NAny<int>([() => ValueTask.FromResult(1), () => ValueTask.FromResult(2), () => ValueTask.FromResult(3)]);
            var some = await F.NAny<int>(
            [
                async () => { await F.Yield(); return 1; },
                async () => { await Cancel.Protect(async () => await F.Yield()); return 2; },
                () => ValueTask.FromResult(3),
            ]);
            return string.Join(",", all) + " / " + string.Join(",", some);
        });
        Assert.Equal(["1,2,3 / 3,2"], trace);
    }

    [Fact]
    public void NAny_reports_an_error_even_after_a_success()
    {
        var trace = Eio.Run(async () =>
            string.Join(",", await F.NAny<int>([() => ValueTask.FromResult(1), () => ValueTask.FromException<int>(new Failure("late"))])));
        Assert.Equal(["Exception: Failure(\"late\")"], trace);
    }

    [Fact]
    public void AwaitCancel_raises_cancelled_with_the_reason()
    {
        var trace = Eio.Run(async () =>
        {
            await F.Both(
                async () =>
                {
                    try
                    {
                        await F.AwaitCancel();
                    }
                    catch (CancelledException ex)
                    {
                        Line("Caught: " + Eio.Show(ex));
                        throw;
                    }
                },
                () => throw new Failure("simulated error"));
            return "not reached";
        });
        Assert.Equal(["Caught: Cancelled: Failure(\"simulated error\")", "Exception: Failure(\"simulated error\")"], trace);
    }
}
