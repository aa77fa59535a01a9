using Bridge.Runtimes;

namespace Bridge.Runtimes.Tests;

public class TimerTests
{
    [Fact]
    public void Timers_fire_in_deadline_order_then_registration_order()
    {
        using var loop = TestLoops.Virtual();
        var trace = new List<string>();
        void Start(double seconds, string name) =>
            loop.StartTimer(TimeSpan.FromSeconds(seconds), _ => trace.Add($"{name}@{loop.Elapsed.TotalSeconds}"), null);

        Start(3, "a");
        Start(1, "b");
        Start(2, "c");
        Start(1, "d");
        Start(0, "e");
        Start(2, "f");
        loop.RunUntil(() => trace.Count == 6);
        Assert.Equal(["e@0", "b@1", "d@1", "c@2", "f@2", "a@3"], trace);
    }

    [Fact]
    public void Cancelled_timer_never_fires()
    {
        using var loop = TestLoops.Virtual();
        var trace = new List<string>();
        var cancelled = loop.StartTimer(TimeSpan.FromSeconds(1), _ => trace.Add("cancelled"), null);
        loop.StartTimer(TimeSpan.FromSeconds(2), _ => trace.Add("kept"), null);
        Assert.False(cancelled.IsCompleted);
        Assert.True(cancelled.Cancel());
        Assert.True(cancelled.IsCompleted);
        Assert.False(cancelled.Cancel());
        loop.RunUntil(() => trace.Count == 1);
        Assert.Equal(["kept"], trace);
        Assert.Equal(TimeSpan.FromSeconds(2), loop.Elapsed);
    }

    [Fact]
    public void Timer_cancelled_from_another_thread_never_fires_and_fired_timer_cannot_be_cancelled()
    {
        using var loop = TestLoops.Virtual();
        int fired = 0;
        var timer = loop.StartTimer(TimeSpan.FromMinutes(1), _ => fired++, null);
        TestLoops.OnOtherThread(() => Assert.True(timer.Cancel()));
        var other = loop.StartTimer(TimeSpan.FromMinutes(2), _ => fired += 10, null);
        loop.RunUntil(() => fired != 0);
        Assert.Equal(10, fired);
        Assert.True(other.IsCompleted);
        Assert.False(other.Cancel());
        other.Dispose();
    }

    [Fact]
    public void Only_cancelled_timers_left_means_deadlock_not_a_wait()
    {
        using var loop = TestLoops.Virtual();
        loop.StartTimer(TimeSpan.FromSeconds(1), _ => { }, null).Dispose();
        Assert.Throws<DeadlockException>(() => loop.RunUntil(() => false));
        Assert.Equal(TimeSpan.Zero, loop.Elapsed);
    }

    [Fact]
    public void Timer_created_during_an_iteration_fires_in_a_later_iteration()
    {
        using var loop = TestLoops.Virtual();
        long created = -1, fired = -1;
        var trace = new List<string>();
        loop.RunOn(() =>
        {
            created = loop.Iteration;
            loop.StartTimer(TimeSpan.Zero, _ =>
            {
                fired = loop.Iteration;
                trace.Add("timer");
            }, null);
            loop.Enqueue(_ => trace.Add("queued after the timer"), null);
        }, () => fired >= 0);

        Assert.True(fired > created, $"created in {created}, fired in {fired}");
        Assert.Equal(["queued after the timer", "timer"], trace);
    }

    [Fact]
    public void Timer_created_during_an_iteration_on_real_time_fires_in_a_later_iteration()
    {
        using var loop = new EventLoop(new EventLoopOptions { DeadlockDetection = DeadlockDetectionMode.Strict });
        long created = -1, fired = -1;
        loop.RunOn(() =>
        {
            created = loop.Iteration;
            loop.StartTimer(TimeSpan.Zero, _ => fired = loop.Iteration, null);
        }, () => fired >= 0);

        Assert.True(fired > created);
    }

    [Fact]
    public void Timer_callback_state_is_passed()
    {
        using var loop = TestLoops.Virtual();
        object? seen = null;
        var state = new object();
        loop.StartTimer(TimeSpan.FromTicks(1), s => seen = s, state);
        loop.RunUntil(() => seen is not null);
        Assert.Same(state, seen);
    }

    [Fact]
    public void Many_random_timers_fire_in_deadline_order_on_virtual_time()
    {
        using var loop = TestLoops.Virtual();
        const int N = 200_000;
        int fired = 0;
        long last = -1;
        bool ordered = true;
        Action<object?> onFire = s =>
        {
            long deadline = (long)s!;
            ordered &= deadline >= last;
            last = deadline;
            fired++;
        };
        var random = new Random(42);
        for (int i = 0; i < N; i++)
        {
            long ms = random.Next(0, 10_000);
            loop.StartTimer(TimeSpan.FromMilliseconds(ms), onFire, ms);
        }

        loop.RunUntil(() => fired == N);
        Assert.True(ordered);
    }
}
