using Bridge.Runtimes;

namespace Bridge.Runtimes.Tests;

public class HookTests
{
    [Fact]
    public void Enter_and_leave_hooks_run_around_every_iteration_and_can_be_removed()
    {
        using var loop = TestLoops.Virtual();
        var trace = new List<string>();
        var enter = loop.AddEnterIterationHook(() => trace.Add("enter"));
        var leave = loop.AddLeaveIterationHook(() => trace.Add("leave"));
        loop.Enqueue(_ => trace.Add("item 1"), null);
        loop.StartTimer(TimeSpan.FromSeconds(1), _ => trace.Add("timer"), null);
        loop.RunUntil(() => trace.Contains("timer") && trace[^1] == "leave");
        // An iteration that ran something is followed by one more before the loop idles (its enter hooks may have work,
        // as Lwt's paused promises do); the idle loop then jumps virtual time and the next iteration fires the timer.
        Assert.Equal(["enter", "item 1", "leave", "enter", "leave", "enter", "timer", "leave"], trace);
        enter.Dispose();
        leave.Dispose();
        int count = trace.Count;
        loop.Enqueue(_ => trace.Add("item 2"), null);
        loop.RunUntil(() => trace.Contains("item 2"));
        Assert.Equal(["item 2"], trace.Skip(count));
    }

    [Fact]
    public void Hooks_see_iterations_and_removal_takes_effect_on_the_next_iteration()
    {
        using var loop = TestLoops.Virtual();
        var iterations = new List<long>();
        IDisposable? enter = null;
        enter = loop.AddEnterIterationHook(() =>
        {
            iterations.Add(loop.Iteration);
            if (iterations.Count == 3)
            {
                enter!.Dispose();
            }
        });
        int items = 0;
        for (int i = 0; i < 5; i++)
        {
            loop.StartTimer(TimeSpan.FromSeconds(i + 1), _ => items++, null);
        }

        loop.RunUntil(() => items == 5);
        Assert.Equal(3, iterations.Count);
        Assert.True(iterations.SequenceEqual(iterations.Order()) && iterations.Distinct().Count() == 3);
        enter.Dispose(); // idempotent
    }

    [Fact]
    public void Leave_hook_runs_even_when_an_item_throws()
    {
        using var loop = TestLoops.Virtual();
        int leaves = 0;
        using var leave = loop.AddLeaveIterationHook(() => leaves++);
        loop.Enqueue(_ => throw new FormatException(), null);
        Assert.Throws<FormatException>(() => loop.RunUntil(() => false));
        Assert.Equal(1, leaves);
    }

    [Fact]
    public void Hooks_reject_null()
    {
        using var loop = TestLoops.Virtual();
        Assert.Throws<ArgumentNullException>(() => loop.AddEnterIterationHook(null!));
        Assert.Throws<ArgumentNullException>(() => loop.AddLeaveIterationHook(null!));
        Assert.Throws<ArgumentNullException>(() => loop.AddVirtualTimeAdvancedHook(null!));
        Assert.Throws<ArgumentNullException>(() => loop.AddDeadlockDescriber(null!));
    }
}
