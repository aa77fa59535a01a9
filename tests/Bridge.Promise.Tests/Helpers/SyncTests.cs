namespace PromiseTests.Helpers;

public class MutexTests
{
    [Fact]
    public void Canceled_lock_attempts_do_not_pile_up_and_the_live_waiters_keep_their_order() => TestLoop.Run(() =>
    {
        // Lwt unlinks a canceled waiter at once; a lock only ever given up (a timeout) used to keep every attempt.
        var m = new PromiseMutex();
        m.Lock();
        var first = m.Lock();
        for (int i = 0; i < 100_000; i++)
        {
            m.Lock().Cancel();
        }

        var second = m.Lock();
        var queue = (Queue<Promise<Unit>>)typeof(PromiseMutex)
            .GetField("_waiters", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
            .GetValue(m)!;
        Assert.True(queue.Count < 100, $"{queue.Count} waiters kept");
        Assert.False(m.IsEmpty);
        m.Unlock();
        Assert.Equal(PromiseState.Fulfilled, first.State);
        Assert.Equal(PromiseState.Pending, second.State);
        m.Unlock();
        Assert.Equal(PromiseState.Fulfilled, second.State);
    });

    [Fact]
    public void Lock_free_mutex_is_immediate() => TestLoop.Run(() =>
    {
        var m = new PromiseMutex();
        Assert.False(m.IsLocked);
        Assert.Equal(PromiseState.Fulfilled, m.Lock().State);
        Assert.True(m.IsLocked);
        Assert.True(m.IsEmpty);
    });

    [Fact]
    public void Second_lock_waits_and_unlock_hands_over() => TestLoop.Run(() =>
    {
        var m = new PromiseMutex();
        m.Lock();
        var second = m.Lock();
        Assert.True(second.IsPending);
        Assert.False(m.IsEmpty);
        m.Unlock();
        Assert.Equal(PromiseState.Fulfilled, second.State);
        Assert.True(m.IsLocked);
        m.Unlock();
        Assert.False(m.IsLocked);
    });

    [Fact]
    public void Waiters_are_fifo() => TestLoop.Run(() =>
    {
        var m = new PromiseMutex();
        m.Lock();
        var log = new Log();
        m.Lock().OnSuccess(_ => log.Add("a"));
        m.Lock().OnSuccess(_ => log.Add("b"));
        m.Unlock();
        m.Unlock();
        Assert.Equal("a,b", log.ToString());
    });

    [Fact]
    public void Unlock_unlocked_throws() => TestLoop.Run(() =>
    {
        Assert.Contains("not locked", Assert.Throws<InvalidOperationException>(() => new PromiseMutex().Unlock()).Message);
    });

    [Fact]
    public void Canceled_waiter_never_acquires() => TestLoop.Run(() =>
    {
        var m = new PromiseMutex();
        m.Lock();
        var w1 = m.Lock();
        var w2 = m.Lock();
        w1.Cancel();
        Assert.True(w1.IsCanceled);
        m.Unlock();
        Assert.Equal(PromiseState.Fulfilled, w2.State);
        m.Unlock();
        Assert.False(m.IsLocked);
    });

    [Fact]
    public void Cancel_after_handover_keeps_ownership_consistent() => TestLoop.Run(() =>
    {
        var m = new PromiseMutex();
        m.Lock();
        var w = m.Lock();
        var (p, r) = Promise.Create<Unit>();
        p.OnSuccess(_ =>
        {
            m.Unlock(); // hands over with deferred callbacks
            w.Cancel(); // too late: already fulfilled
        });
        r.Resolve(default);
        Assert.Equal(PromiseState.Fulfilled, w.State);
        Assert.True(m.IsLocked);
        m.Unlock();
        Assert.False(m.IsLocked);
    });

    [Fact]
    public void Unlock_inside_callback_defers_waiter() => TestLoop.Run(() =>
    {
        var m = new PromiseMutex();
        m.Lock();
        var log = new Log();
        m.Lock().OnSuccess(_ => log.Add("acquired"));
        var (p, r) = Promise.Create<Unit>();
        p.OnSuccess(_ =>
        {
            m.Unlock();
            log.Add("unlocked");
        });
        r.Resolve(default);
        Assert.Equal("unlocked,acquired", log.ToString());
    });

    [Fact]
    public void With_unlocks_on_success_and_failure() => TestLoop.Run(() =>
    {
        var m = new PromiseMutex();
        Assert.Equal(1, m.With(() =>
        {
            Assert.True(m.IsLocked);
            return Promise.FromResult(1);
        }).Result);
        Assert.False(m.IsLocked);
        Assert.IsType<TestException>(m.With<int>(() => throw new TestException()).Error);
        Assert.False(m.IsLocked);
        Assert.Throws<ArgumentNullException>(() => m.With<int>(null!));
    });

    [Fact]
    public void With_serializes_critical_sections() => TestLoop.Run(() =>
    {
        var m = new PromiseMutex();
        var log = new Log();
        Promise<Unit> Section(string name) => m.With(() =>
        {
            log.Add(name + "+");
            return Promise.Pause().Map(_ =>
            {
                log.Add(name + "-");
                return default(Unit);
            });
        });
        return Promise.Join(Section("a"), Section("b"), Section("c")).Map(_ =>
        {
            Assert.Equal("a+,a-,b+,b-,c+,c-", log.ToString());
            return 0;
        });
    });
}

public class ConditionTests
{
    [Fact]
    public void Signal_wakes_first_waiter_only() => TestLoop.Run(() =>
    {
        var c = new PromiseCondition<int>();
        var w1 = c.Wait();
        var w2 = c.Wait();
        c.Signal(1);
        Assert.Equal(1, w1.Result);
        Assert.True(w2.IsPending);
    });

    [Fact]
    public void Signal_is_not_sticky() => TestLoop.Run(() =>
    {
        var c = new PromiseCondition<int>();
        c.Signal(1);
        Assert.True(c.Wait().IsPending);
    });

    [Fact]
    public void Broadcast_wakes_all_in_order() => TestLoop.Run(() =>
    {
        var c = new PromiseCondition<string>();
        var log = new Log();
        c.Wait().OnSuccess(v => log.Add("1" + v));
        c.Wait().OnSuccess(v => log.Add("2" + v));
        c.Broadcast("x");
        Assert.Equal("1x,2x", log.ToString());
        Assert.True(c.Wait().IsPending);
    });

    [Fact]
    public void BroadcastException_rejects_all() => TestLoop.Run(() =>
    {
        var c = new PromiseCondition<int>();
        var w1 = c.Wait();
        var w2 = c.Wait();
        c.BroadcastException(new TestException());
        Assert.IsType<TestException>(w1.Error);
        Assert.IsType<TestException>(w2.Error);
        Assert.Throws<ArgumentNullException>(() => c.BroadcastException(null!));
    });

    [Fact]
    public void Canceled_waiter_is_skipped_by_signal() => TestLoop.Run(() =>
    {
        var c = new PromiseCondition<int>();
        var w1 = c.Wait();
        var w2 = c.Wait();
        w1.Cancel();
        c.Signal(2);
        Assert.Equal(2, w2.Result);
    });

    [Fact]
    public void Wait_with_mutex_unlocks_and_relocks() => TestLoop.Run(() =>
    {
        var m = new PromiseMutex();
        var c = new PromiseCondition<int>();
        m.Lock();
        var w = c.Wait(m);
        Assert.False(m.IsLocked);
        m.Lock();
        c.Signal(3);
        Assert.True(w.IsPending, "waits to re-lock the mutex");
        m.Unlock();
        Assert.Equal(3, w.Result);
        Assert.True(m.IsLocked);
    });

    [Fact]
    public void Wait_with_unlocked_mutex_throws() => TestLoop.Run(() =>
    {
        Assert.Throws<InvalidOperationException>(() => new PromiseCondition<int>().Wait(new PromiseMutex()));
    });
}

public class MVarTests
{
    [Fact]
    public void Create_full_and_empty() => TestLoop.Run(() =>
    {
        Assert.False(new PromiseMVar<int>(1).IsEmpty);
        Assert.True(new PromiseMVar<int>().IsEmpty);
    });

    [Fact]
    public void Take_full_is_immediate() => TestLoop.Run(() =>
    {
        var m = new PromiseMVar<int>(1);
        Assert.Equal(1, m.Take().Result);
        Assert.True(m.IsEmpty);
    });

    [Fact]
    public void Take_empty_waits_for_put() => TestLoop.Run(() =>
    {
        var m = new PromiseMVar<int>();
        var t = m.Take();
        Assert.True(t.IsPending);
        Assert.Equal(PromiseState.Fulfilled, m.Put(2).State);
        Assert.Equal(2, t.Result);
        Assert.True(m.IsEmpty, "handed directly to the reader");
    });

    [Fact]
    public void Put_full_waits_for_take() => TestLoop.Run(() =>
    {
        var m = new PromiseMVar<int>(1);
        var p = m.Put(2);
        Assert.True(p.IsPending);
        Assert.Equal(1, m.Take().Result);
        Assert.Equal(PromiseState.Fulfilled, p.State);
        Assert.Equal(2, m.Take().Result);
    });

    [Fact]
    public void Writers_are_fifo() => TestLoop.Run(() =>
    {
        var m = new PromiseMVar<int>(0);
        m.Put(1);
        m.Put(2);
        Assert.Equal(0, m.Take().Result);
        Assert.Equal(1, m.Take().Result);
        Assert.Equal(2, m.Take().Result);
        Assert.True(m.IsEmpty);
    });

    [Fact]
    public void Canceled_writer_value_is_withdrawn() => TestLoop.Run(() =>
    {
        var m = new PromiseMVar<int>(0);
        var p = m.Put(1);
        p.Cancel();
        Assert.Equal(0, m.Take().Result);
        Assert.True(m.IsEmpty);
    });

    [Fact]
    public void Canceled_reader_does_not_get_value() => TestLoop.Run(() =>
    {
        var m = new PromiseMVar<int>();
        var t1 = m.Take();
        var t2 = m.Take();
        t1.Cancel();
        m.Put(5);
        Assert.True(t1.IsCanceled);
        Assert.Equal(5, t2.Result);
    });

    [Fact]
    public void TakeAvailable_is_non_blocking() => TestLoop.Run(() =>
    {
        var m = new PromiseMVar<int>();
        Assert.False(m.TakeAvailable().HasValue);
        m.Put(3);
        var p = m.Put(4);
        Assert.Equal((true, 3), m.TakeAvailable());
        Assert.Equal(PromiseState.Fulfilled, p.State);
        Assert.Equal((true, 4), m.TakeAvailable());
    });
}

public class SwitchTests
{
    [Fact]
    public void TurnOff_runs_hooks_most_recent_first() => TestLoop.Run(() =>
    {
        var sw = new PromiseSwitch();
        var log = new Log();
        sw.AddHook(() => { log.Add("1"); return Promise.Unit; });
        sw.AddHook(() => { log.Add("2"); return Promise.Unit; });
        Assert.True(sw.IsOn);
        Assert.Equal(PromiseState.Fulfilled, sw.TurnOff().State);
        Assert.False(sw.IsOn);
        Assert.Equal("2,1", log.ToString());
        Assert.Equal(PromiseState.Fulfilled, sw.TurnOff().State);
        Assert.Equal("2,1", log.ToString());
    });

    [Fact]
    public void TurnOff_waits_for_all_hooks_and_reports_failure() => TestLoop.Run(() =>
    {
        var sw = new PromiseSwitch();
        var (h, rh) = Promise.Create<Unit>();
        sw.AddHook(() => h);
        sw.AddHook(() => throw new TestException());
        var off = sw.TurnOff();
        Assert.True(off.IsPending);
        rh.Resolve(default);
        Assert.IsType<TestException>(off.Error);
    });

    [Fact]
    public void Off_switch_refuses_hooks_and_check_throws() => TestLoop.Run(() =>
    {
        var sw = new PromiseSwitch();
        sw.Check();
        sw.TurnOff();
        Assert.Throws<InvalidOperationException>(() => sw.AddHook(() => Promise.Unit));
        Assert.Contains("Off", Assert.Throws<InvalidOperationException>(() => sw.Check()).Message);
        Assert.Throws<ArgumentNullException>(() => sw.AddHook(null!));
    });

    [Fact]
    public void AddHookOrExec_runs_now_when_off() => TestLoop.Run(() =>
    {
        var sw = new PromiseSwitch();
        var ran = 0;
        sw.AddHookOrExec(() => { ran++; return Promise.Unit; });
        Assert.Equal(0, ran);
        sw.TurnOff();
        Assert.Equal(1, ran);
        sw.AddHookOrExec(() => { ran++; return Promise.Unit; });
        Assert.Equal(2, ran);
    });

    [Fact]
    public void With_turns_off_afterwards() => TestLoop.Run(() =>
    {
        PromiseSwitch? seen = null;
        var ran = false;
        var r = PromiseSwitch.With(sw =>
        {
            seen = sw;
            sw.AddHook(() => { ran = true; return Promise.Unit; });
            return Promise.FromResult(1);
        });
        Assert.Equal(1, r.Result);
        Assert.True(ran);
        Assert.False(seen!.IsOn);
        Assert.IsType<TestException>(PromiseSwitch.With<int>(_ => throw new TestException()).Error);
    });
}
