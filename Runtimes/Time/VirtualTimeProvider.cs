namespace Bridge.Runtimes;

/// <summary>
/// A <see cref="TimeProvider"/> whose clock moves only when told to: by an <see cref="EventLoop"/> with
/// <see cref="EventLoopOptions.VirtualTime"/> when it would otherwise be idle (it jumps to the next due timer,
/// like Eio_mock's clock and kotlinx-coroutines-test), or explicitly by <see cref="Advance"/> and
/// <see cref="SetTime"/>. Because it is an ordinary <see cref="TimeProvider"/>, <c>Task.Delay(d, provider)</c>,
/// <see cref="PeriodicTimer"/> and any TimeProvider-aware library run on virtual time too.
/// Thread-safe.
/// </summary>
/// <remarks>
/// The clock starts at <see cref="DateTimeOffset.UnixEpoch"/> unless told otherwise, so "seconds since the
/// epoch" is Eio_mock's "mock time". Timers fire in deadline order, ties in creation order; each one fires
/// with the clock set to its own deadline.
/// </remarks>
public sealed class VirtualTimeProvider : TimeProvider
{
    private readonly object _gate = new();
    private readonly DateTimeOffset _origin;
    private readonly PriorityQueue<VirtualTimer, (long Deadline, long Sequence)> _timers = new();
    private long _now; // ticks since _origin
    private long _sequence;
    private int _scheduled; // heap entries, live or stale; written under _gate
    private Action? _changed;

    /// <summary>Creates a clock that reads <see cref="DateTimeOffset.UnixEpoch"/> (Eio_mock: time 0).</summary>
    public VirtualTimeProvider()
        : this(DateTimeOffset.UnixEpoch)
    {
    }

    /// <summary>Creates a clock that reads <paramref name="start"/>.</summary>
    public VirtualTimeProvider(DateTimeOffset start)
    {
        _origin = start;
    }

    /// <summary>The virtual time elapsed since the clock was created.</summary>
    public TimeSpan Elapsed => TimeSpan.FromTicks(Volatile.Read(ref _now));

    /// <inheritdoc cref="TimeProvider.GetUtcNow"/>
    public override DateTimeOffset GetUtcNow() => _origin + Elapsed;

    /// <summary>Virtual ticks (100 ns) since creation; see <see cref="TimestampFrequency"/>.</summary>
    public override long GetTimestamp() => Volatile.Read(ref _now);

    /// <summary><see cref="TimeSpan.TicksPerSecond"/>: timestamps are <see cref="TimeSpan"/> ticks.</summary>
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>UTC: virtual time has no local zone.</summary>
    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    /// <summary>
    /// Creates a timer on virtual time (what <c>Task.Delay(d, provider)</c> and <see cref="PeriodicTimer"/> call).
    /// The callback runs on the thread that moves the clock past its deadline.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A negative time other than <see cref="Timeout.InfiniteTimeSpan"/>.</exception>
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new VirtualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>
    /// Moves the clock forward by <paramref name="delta"/>, firing every timer that falls due on the way, in order,
    /// on the calling thread (FakeTimeProvider.Advance; Eio_mock <c>Clock.advance</c> by a fixed amount).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delta"/> is negative, or moves the clock past <see cref="DateTimeOffset.MaxValue"/>.</exception>
    public void Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        long now = Volatile.Read(ref _now);
        if (delta.Ticks > MaxTicks - now)
        {
            throw new ArgumentOutOfRangeException(nameof(delta), delta, "The clock would move past DateTimeOffset.MaxValue.");
        }

        AdvanceTo(now + delta.Ticks);
    }

    /// <summary><paramref name="now"/> + <paramref name="delta"/>, saturating at <paramref name="max"/> instead of overflowing.</summary>
    internal static long Deadline(long now, long delta, long max = long.MaxValue) => delta > max - now ? max : now + delta;

    /// <summary>The latest reading the clock can take: <see cref="DateTimeOffset.MaxValue"/>, in ticks since the origin.</summary>
    internal long MaxTicks => (DateTimeOffset.MaxValue - _origin).Ticks;

    /// <summary>
    /// Sets the clock (Eio_mock <c>Clock.set_time</c>): moving forward fires the timers due at or before
    /// <paramref name="time"/> in order; moving backwards is allowed and fires nothing.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="time"/> is before the clock's origin.</exception>
    public void SetTime(DateTimeOffset time)
    {
        long target = (time - _origin).Ticks;
        ArgumentOutOfRangeException.ThrowIfLessThan(target, 0, nameof(time));
        if (target <= Volatile.Read(ref _now))
        {
            lock (_gate)
            {
                _now = target;
            }

            RaiseChanged();
            return;
        }

        AdvanceTo(target);
    }

    /// <summary>Moves to <paramref name="target"/> ticks, firing each due timer with the clock at its deadline.</summary>
    internal void AdvanceTo(long target)
    {
        while (TryFireNext(target))
        {
        }

        lock (_gate)
        {
            if (_now < target)
            {
                _now = target;
            }
        }

        RaiseChanged();
    }

    /// <summary>Fires the earliest timer if it is due by <paramref name="limit"/>; false when none is.</summary>
    internal bool TryFireNext(long limit)
    {
        VirtualTimer timer;
        lock (_gate)
        {
            if (!TryPeekLocked(out timer, out var key) || key.Deadline > limit)
            {
                return false;
            }

            _timers.Dequeue();
            Volatile.Write(ref _scheduled, _timers.Count);
            if (_now < key.Deadline)
            {
                _now = key.Deadline;
            }
        }

        timer.Fire();
        return true;
    }

    /// <summary>The earliest live timer's deadline and sequence, if any.</summary>
    internal bool TryPeekNext(out long deadline, out long sequence)
    {
        lock (_gate)
        {
            bool found = TryPeekLocked(out _, out var key);
            (deadline, sequence) = key;
            return found;
        }
    }

    /// <summary>
    /// Moves the clock to <paramref name="target"/> without firing anything: the loop that jumps fires the timers due
    /// then in its next iteration. True when the clock moved.
    /// </summary>
    internal bool JumpTo(long target)
    {
        lock (_gate)
        {
            if (_now >= target)
            {
                return false;
            }

            _now = target;
            return true;
        }
    }

    /// <summary>A cheap hint, read without the lock: false means no timer is scheduled (not even a cancelled one).</summary>
    internal bool MayHaveTimers => Volatile.Read(ref _scheduled) > 0;

    /// <summary>Number of live timers (for deadlock detection).</summary>
    internal bool HasPendingTimers
    {
        get
        {
            lock (_gate)
            {
                return TryPeekLocked(out _, out _);
            }
        }
    }

    /// <summary>A registration number shared by this clock's timers and the loop timers that run on it.</summary>
    internal long NextSequence() => Interlocked.Increment(ref _sequence);

    /// <summary>Called after every clock change and timer creation, so an idle loop re-examines its state.</summary>
    internal event Action? Changed
    {
        add { lock (_gate) { _changed += value; } }
        remove { lock (_gate) { _changed -= value; } }
    }

    private void RaiseChanged() => Volatile.Read(ref _changed)?.Invoke();

    private bool TryPeekLocked(out VirtualTimer timer, out (long Deadline, long Sequence) key)
    {
        while (_timers.TryPeek(out timer!, out key))
        {
            if (timer.IsLive(key.Sequence))
            {
                return true;
            }

            _timers.Dequeue();
            Volatile.Write(ref _scheduled, _timers.Count);
        }

        return false;
    }

    private void Schedule(VirtualTimer timer, long deadline, long sequence)
    {
        lock (_gate)
        {
            _timers.Enqueue(timer, (deadline, sequence));
            Volatile.Write(ref _scheduled, _timers.Count);
        }

        RaiseChanged();
    }

    /// <summary>An <see cref="ITimer"/> on virtual time. Re-arming bumps its sequence so stale heap entries die.</summary>
    private sealed class VirtualTimer : ITimer
    {
        private readonly VirtualTimeProvider _clock;
        private readonly TimerCallback _callback;
        private readonly object? _state;
        private long _armedSequence; // 0 = not armed
        private long _period;
        private bool _disposed;

        public VirtualTimer(VirtualTimeProvider clock, TimerCallback callback, object? state)
        {
            _clock = clock;
            _callback = callback;
            _state = state;
        }

        public bool IsLive(long sequence) => Volatile.Read(ref _armedSequence) == sequence;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            if (dueTime < TimeSpan.Zero && dueTime != Timeout.InfiniteTimeSpan)
            {
                throw new ArgumentOutOfRangeException(nameof(dueTime), dueTime, "The due time must be non-negative or Timeout.InfiniteTimeSpan.");
            }

            if (period < TimeSpan.Zero && period != Timeout.InfiniteTimeSpan)
            {
                throw new ArgumentOutOfRangeException(nameof(period), period, "The period must be non-negative or Timeout.InfiniteTimeSpan.");
            }

            if (Volatile.Read(ref _disposed))
            {
                return false;
            }

            Volatile.Write(ref _period, period == Timeout.InfiniteTimeSpan ? 0 : period.Ticks);
            if (dueTime == Timeout.InfiniteTimeSpan)
            {
                Volatile.Write(ref _armedSequence, 0);
                return true;
            }

            long sequence = _clock.NextSequence();
            Volatile.Write(ref _armedSequence, sequence);
            _clock.Schedule(this, Deadline(_clock.GetTimestamp(), dueTime.Ticks, _clock.MaxTicks), sequence);
            return true;
        }

        public void Fire()
        {
            long period = Volatile.Read(ref _period);
            if (period > 0 && !Volatile.Read(ref _disposed))
            {
                long sequence = _clock.NextSequence();
                Volatile.Write(ref _armedSequence, sequence);
                _clock.Schedule(this, Deadline(_clock.GetTimestamp(), period, _clock.MaxTicks), sequence);
            }
            else
            {
                Volatile.Write(ref _armedSequence, 0);
            }

            _callback(_state);
        }

        public void Dispose()
        {
            Volatile.Write(ref _disposed, true);
            Volatile.Write(ref _armedSequence, 0);
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
