using Bridge.Runtimes;

namespace Bridge.Runtimes.Tests;

public class VirtualTimeTests
{
    [Fact]
    public void Task_Delay_of_an_hour_on_virtual_time_completes_without_waiting_and_the_clock_reads_plus_one_hour()
    {
        using var loop = TestLoops.Virtual();
        var clock = loop.VirtualTime!;
        Assert.True(loop.IsVirtualTime);
        Assert.Same(clock, loop.Time);
        var start = clock.GetUtcNow();
        int loopThread = Environment.CurrentManagedThreadId;
        int resumedOn = -1;

        var task = loop.RunTask(async () =>
        {
            await Task.Delay(TimeSpan.FromHours(1), loop.Time);
            resumedOn = Environment.CurrentManagedThreadId;
        });

        Assert.True(task.IsCompletedSuccessfully);
        Assert.Equal(TimeSpan.FromHours(1), loop.Elapsed);
        Assert.Equal(start + TimeSpan.FromHours(1), clock.GetUtcNow());
        Assert.Equal(DateTimeOffset.UnixEpoch + TimeSpan.FromHours(1), clock.GetUtcNow());
        Assert.Equal(loopThread, resumedOn);
    }

    [Fact]
    public void Delays_on_virtual_time_interleave_with_loop_timers_in_deadline_order()
    {
        using var loop = TestLoops.Virtual();
        var trace = new List<string>();
        async Task Sleeper(string name, int minutes)
        {
            await Task.Delay(TimeSpan.FromMinutes(minutes), loop.Time);
            trace.Add($"{name}@{loop.Elapsed.TotalMinutes}");
        }

        var task = loop.RunTask(() =>
        {
            loop.StartTimer(TimeSpan.FromMinutes(2), _ => trace.Add("timer@" + loop.Elapsed.TotalMinutes), null);
            return Task.WhenAll(Sleeper("c", 3), Sleeper("a", 1), Sleeper("b", 2));
        });

        Assert.True(task.IsCompletedSuccessfully);
        Assert.Equal(["a@1", "timer@2", "b@2", "c@3"], trace);
    }

    [Fact]
    public void PeriodicTimer_ticks_on_virtual_time()
    {
        using var loop = TestLoops.Virtual();
        var ticks = new List<double>();
        var task = loop.RunTask(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1), loop.Time);
            for (int i = 0; i < 3; i++)
            {
                Assert.True(await timer.WaitForNextTickAsync());
                ticks.Add(loop.Elapsed.TotalMinutes);
            }
        });

        task.GetAwaiter().GetResult();
        Assert.Equal([1.0, 2.0, 3.0], ticks);
    }

    [Fact]
    public void Virtual_time_starts_at_the_given_start()
    {
        var start = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var clock = new VirtualTimeProvider(start);
        using var loop = new EventLoop(new EventLoopOptions { VirtualTime = true, Time = clock });
        Assert.Same(clock, loop.VirtualTime);
        loop.StartTimer(TimeSpan.FromDays(1), _ => { }, null);
        loop.RunUntil(() => loop.Elapsed > TimeSpan.Zero);
        Assert.Equal(start.AddDays(1), clock.GetUtcNow());
        Assert.Equal(TimeSpan.FromDays(1), clock.Elapsed);
        Assert.Equal(TimeZoneInfo.Utc, clock.LocalTimeZone);
        Assert.Equal(TimeSpan.TicksPerSecond, clock.TimestampFrequency);
    }

    [Fact]
    public void Advance_fires_due_timers_in_order_with_the_clock_at_each_deadline()
    {
        var clock = new VirtualTimeProvider();
        var trace = new List<string>();
        using var a = clock.CreateTimer(_ => trace.Add($"a@{clock.Elapsed.TotalSeconds}"), null, TimeSpan.FromSeconds(3), Timeout.InfiniteTimeSpan);
        using var b = clock.CreateTimer(_ => trace.Add($"b@{clock.Elapsed.TotalSeconds}"), null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        using var c = clock.CreateTimer(_ => trace.Add($"c@{clock.Elapsed.TotalSeconds}"), null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        using var late = clock.CreateTimer(_ => trace.Add("late"), null, TimeSpan.FromSeconds(10), Timeout.InfiniteTimeSpan);

        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(["b@1", "c@1", "a@3"], trace);
        Assert.Equal(TimeSpan.FromSeconds(5), clock.Elapsed);
    }

    [Fact]
    public void SetTime_backwards_is_allowed_and_fires_nothing()
    {
        var clock = new VirtualTimeProvider();
        var trace = new List<string>();
        using var timer = clock.CreateTimer(_ => trace.Add($"fired@{clock.Elapsed.TotalSeconds}"), null, TimeSpan.FromSeconds(10), Timeout.InfiniteTimeSpan);

        clock.Advance(TimeSpan.FromSeconds(5));
        clock.SetTime(DateTimeOffset.UnixEpoch + TimeSpan.FromSeconds(2));
        Assert.Equal(TimeSpan.FromSeconds(2), clock.Elapsed);
        Assert.Empty(trace);

        clock.Advance(TimeSpan.FromSeconds(7));
        Assert.Empty(trace);
        clock.SetTime(DateTimeOffset.UnixEpoch + TimeSpan.FromSeconds(12));
        Assert.Equal(["fired@10"], trace);
        Assert.Equal(TimeSpan.FromSeconds(12), clock.Elapsed);
    }

    [Fact]
    public void Periodic_virtual_timer_fires_every_period_and_stops_when_disposed()
    {
        var clock = new VirtualTimeProvider();
        var trace = new List<double>();
        var timer = clock.CreateTimer(_ => trace.Add(clock.Elapsed.TotalSeconds), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
        clock.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal([1.0, 3.0, 5.0], trace);

        Assert.True(timer.Change(TimeSpan.FromSeconds(10), Timeout.InfiniteTimeSpan));
        clock.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal([1.0, 3.0, 5.0], trace);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal([1.0, 3.0, 5.0, 16.0], trace);

        timer.Change(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        timer.Dispose();
        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(4, trace.Count);
        Assert.False(timer.Change(TimeSpan.Zero, TimeSpan.Zero));
    }

    [Fact]
    public void Advance_on_the_loop_thread_completes_virtual_delays()
    {
        using var loop = TestLoops.Virtual();
        var trace = new List<string>();
        var task = loop.RunTask(async () =>
        {
            var delay = Task.Delay(TimeSpan.FromMinutes(5), loop.Time);
            loop.VirtualTime!.Advance(TimeSpan.FromMinutes(5));
            Assert.True(delay.IsCompleted);
            await delay;
            trace.Add($"after@{loop.Elapsed.TotalMinutes}");
        });

        task.GetAwaiter().GetResult();
        Assert.Equal(["after@5"], trace);
    }

    [Fact]
    public void Virtual_time_does_not_jump_while_an_external_operation_is_tracked()
    {
        using var loop = TestLoops.Virtual();
        bool fired = false;
        loop.StartTimer(TimeSpan.FromHours(1), _ => fired = true, null);
        var operation = loop.TrackExternalOperation();
        TimeSpan seenByOtherThread = TimeSpan.MinValue;
        var other = new Thread(() =>
        {
            SpinWait.SpinUntil(() => loop.IsWaitingForWork);
            seenByOtherThread = loop.Elapsed;
            operation.Dispose();
        });
        other.Start();
        loop.RunUntil(() => fired);
        other.Join();
        Assert.Equal(TimeSpan.Zero, seenByOtherThread);
        Assert.Equal(TimeSpan.FromHours(1), loop.Elapsed);
        Assert.True(operation.IsCompleted);
    }

    [Fact]
    public void Time_advanced_hook_sees_each_jump()
    {
        using var loop = TestLoops.Virtual();
        var jumps = new List<double>();
        using var hook = loop.AddVirtualTimeAdvancedHook(t => jumps.Add(t.TotalSeconds));
        int fired = 0;
        loop.StartTimer(TimeSpan.FromSeconds(1), _ => fired++, null);
        loop.StartTimer(TimeSpan.FromSeconds(1), _ => fired++, null);
        loop.StartTimer(TimeSpan.FromSeconds(4), _ => fired++, null);
        loop.RunUntil(() => fired == 3);
        Assert.Equal([1.0, 4.0], jumps);
    }

    [Fact]
    public void Bad_arguments_are_rejected()
    {
        var clock = new VirtualTimeProvider(DateTimeOffset.UnixEpoch.AddDays(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => clock.Advance(TimeSpan.FromTicks(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => clock.SetTime(DateTimeOffset.UnixEpoch));
        Assert.Throws<ArgumentNullException>(() => clock.CreateTimer(null!, null, TimeSpan.Zero, TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => clock.CreateTimer(_ => { }, null, TimeSpan.FromSeconds(-2), Timeout.InfiniteTimeSpan));
        Assert.Throws<ArgumentOutOfRangeException>(() => clock.CreateTimer(_ => { }, null, TimeSpan.Zero, TimeSpan.FromSeconds(-2)));
        Assert.Throws<ArgumentException>(() => new EventLoop(new EventLoopOptions { VirtualTime = true, Time = TimeProvider.System }));
    }
}

public class ManualClockTests
{
    [Fact]
    public void Virtual_provider_without_VirtualTime_is_a_manual_clock_the_loop_never_moves()
    {
        var clock = new VirtualTimeProvider();
        using var loop = new EventLoop(new EventLoopOptions { Time = clock, DeadlockDetection = DeadlockDetectionMode.Strict });
        Assert.False(loop.IsVirtualTime);
        Assert.Same(clock, loop.VirtualTime);
        bool fired = false;
        loop.StartTimer(TimeSpan.FromMinutes(1), _ => fired = true, null);
        TimeSpan seen = TimeSpan.MinValue;
        var mover = new Thread(() =>
        {
            SpinWait.SpinUntil(() => loop.IsWaitingForWork);
            seen = loop.Elapsed;
            clock.Advance(TimeSpan.FromMinutes(1));
        });
        mover.Start();
        loop.RunUntil(() => fired);
        mover.Join();
        Assert.Equal(TimeSpan.Zero, seen);
        Assert.Equal(TimeSpan.FromMinutes(1), loop.Elapsed);
    }
}
