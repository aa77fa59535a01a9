using Bridge.Runtimes;

namespace Bridge.Tasks.Tests;

public class SwitchToTests
{
    [Fact]
    public async Task SwitchTo_from_a_thread_pool_thread_lands_on_the_loop_thread()
    {
        await using var thread = new LoopThread();
        int loopThread = await thread.Run(() => Environment.CurrentManagedThreadId);
        var (before, after, onLoop) = await Task.Run(async () =>
        {
            int b = Environment.CurrentManagedThreadId;
            await thread.Loop.SwitchTo();
            return (b, Environment.CurrentManagedThreadId, thread.Loop.IsOnLoopThread);
        });
        Assert.NotEqual(loopThread, before);
        Assert.Equal(loopThread, after);
        Assert.True(onLoop);
    }

    [Fact]
    public void SwitchTo_completes_synchronously_when_already_on_the_loop()
    {
        var trace = new List<string>();
        TaskLoop.Run(async () =>
        {
            var loop = EventLoop.Current!;
            var awaiter = loop.SwitchTo().GetAwaiter();
            Assert.True(awaiter.IsCompleted);
            loop.Enqueue(_ => trace.Add("queued item"), null);
            await loop.SwitchTo();
            trace.Add("after SwitchTo");
        }, Virtual.Options());
        Assert.Equal(["after SwitchTo", "queued item"], trace);
    }

    [Fact]
    public void SwitchTo_after_ConfigureAwait_false_returns_to_the_loop()
    {
        int thread = Environment.CurrentManagedThreadId;
        var seen = new List<int>();
        TaskLoop.Run(async () =>
        {
            var loop = EventLoop.Current!;
            await Task.CompletedTask.ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
            seen.Add(Environment.CurrentManagedThreadId);
            await loop.SwitchTo();
            seen.Add(Environment.CurrentManagedThreadId);
            loop.Enqueue(_ => { }, null);
        });
        Assert.NotEqual(thread, seen[0]);
        Assert.Equal(thread, seen[1]);
    }

    [Fact]
    public void SwitchTo_rejects_null()
    {
        Assert.Throws<ArgumentNullException>(() => EventLoopTaskExtensions.SwitchTo(null!));
    }
}
