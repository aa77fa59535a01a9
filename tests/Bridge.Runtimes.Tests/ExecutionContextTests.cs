using Bridge.Runtimes;

namespace Bridge.Runtimes.Tests;

public class ExecutionContextTests
{
    private static readonly AsyncLocal<string?> Local = new();

    [Fact]
    public void AsyncLocal_set_in_one_item_does_not_leak_into_the_next()
    {
        using var loop = TestLoops.Virtual();
        var seen = new List<string?>();
        loop.Enqueue(_ =>
        {
            Local.Value = "first";
            seen.Add(Local.Value);
        }, null);
        loop.Enqueue(_ => seen.Add(Local.Value), null);
        loop.Post(_ =>
        {
            Local.Value = "posted";
            seen.Add(Local.Value);
        }, null);
        loop.Post(_ => seen.Add(Local.Value), null);
        loop.RunUntil(() => seen.Count == 4);
        Assert.Equal(["first", null, "posted", null], seen);
    }

    [Fact]
    public void Posted_items_run_under_the_posters_context()
    {
        using var loop = TestLoops.Virtual();
        var seen = new List<string?>();
        TestLoops.OnOtherThread(() =>
        {
            Local.Value = "poster A";
            loop.Post(_ => seen.Add(Local.Value), null);
            loop.SynchronizationContext.Post(_ => seen.Add(Local.Value), null);
        });
        TestLoops.OnOtherThread(() => loop.Post(_ => seen.Add(Local.Value), null));
        TestLoops.OnOtherThread(() =>
        {
            Local.Value = "poster B";
            loop.Post(_ => seen.Add(Local.Value), null);
        });
        loop.RunUntil(() => seen.Count == 4);
        Assert.Equal(["poster A", "poster A", null, "poster B"], seen);
    }

    [Fact]
    public void Callers_context_survives_the_run_and_loop_items_see_it()
    {
        using var loop = TestLoops.Virtual();
        Local.Value = "caller";
        string? inItem = null;
        loop.RunOn(() =>
        {
            inItem = Local.Value;
            Local.Value = "changed by item";
        }, () => inItem is not null);
        Assert.Equal("caller", inItem);
        Assert.Equal("caller", Local.Value);
        Local.Value = null;
    }

    [Fact]
    public void AsyncLocal_set_by_hooks_or_timers_does_not_leak_into_items()
    {
        using var loop = TestLoops.Virtual();
        var seen = new List<string?>();
        using var enter = loop.AddEnterIterationHook(() => Local.Value = "enter hook");
        using var advanced = loop.AddVirtualTimeAdvancedHook(_ => Local.Value = "time hook");
        loop.Post(_ => seen.Add(Local.Value), null);
        loop.Enqueue(_ => seen.Add(Local.Value), null);
        loop.StartTimer(TimeSpan.FromSeconds(1), _ =>
        {
            Local.Value = "timer";
            loop.Enqueue(_ => seen.Add(Local.Value), null);
        }, null);
        loop.RunUntil(() => seen.Count == 3);
        Assert.Equal([null, null, null], seen);
    }

    [Fact]
    public void Context_is_restored_after_an_item_throws()
    {
        using var loop = TestLoops.Virtual();
        loop.Enqueue(_ =>
        {
            Local.Value = "leaky";
            throw new FormatException();
        }, null);
        string? next = "unset";
        loop.Enqueue(_ => next = Local.Value, null);
        Assert.Throws<FormatException>(() => loop.RunUntil(() => false));
        Assert.Null(Local.Value);
        loop.RunUntil(() => next != "unset");
        Assert.Null(next);
    }

    [Fact]
    public void Async_methods_keep_their_own_context_across_awaits()
    {
        using var loop = TestLoops.Virtual();
        var seen = new List<string?>();
        async Task Flow(string name)
        {
            Local.Value = name;
            await Task.Yield();
            seen.Add($"{name}:{Local.Value}");
            await Task.Delay(TimeSpan.FromSeconds(1), loop.Time);
            seen.Add($"{name}:{Local.Value}");
        }

        var task = loop.RunTask(() => Task.WhenAll(Flow("x"), Flow("y")));
        task.GetAwaiter().GetResult();
        Assert.Equal(["x:x", "y:y", "x:x", "y:y"], seen);
    }
}
