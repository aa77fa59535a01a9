namespace Bridge.Runtimes;

/// <summary>
/// The single-threaded event loop under Bridge.Promise, Bridge.Fiber and Bridge.Tasks: a FIFO run queue with
/// push-at-head (Eio's scheduler), a thread-safe post queue that wakes an idle loop, timers on a real or virtual
/// clock, iteration hooks (Lwt_main's), and deadlock detection (Eio_mock's <c>Deadlock_detected</c>).
/// </summary>
/// <remarks>
/// <para>One loop runs on one thread at a time. Everything except <see cref="Post"/>, <see cref="TrackExternalOperation"/>,
/// <see cref="LoopTimer.Cancel"/>, the hook registrations and the read-only properties is loop-thread only and throws
/// <see cref="InvalidOperationException"/> elsewhere. Posting is lock-free; the loop spins briefly, then sleeps, when it
/// has nothing to do, and a post wakes it.</para>
/// <para>An <em>iteration</em> runs the enter hooks, moves posted items to the run queue, fires due timers, runs
/// queued items (at most <see cref="BatchSize"/>), then runs the leave hooks. A timer created during an iteration
/// fires in a later one. On virtual time the clock moves only when nothing is queued and no external operation is
/// tracked: it jumps to the earliest timer, and the next iteration fires the timers due then.</para>
/// </remarks>
public sealed class EventLoop : IDisposable
{
    /// <summary>Items run per iteration before posts, timers and hooks get another look.</summary>
    internal const int BatchSize = 1024;

    [ThreadStatic]
    private static EventLoop? t_current;

    /// <summary>
    /// Loops currently inside <see cref="RunUntil"/> in this process. Process-wide on purpose: any other running loop may
    /// post to this one or resolve a thread-safe primitive it waits on, so a real-time loop never calls itself
    /// deadlocked while another one runs (see <see cref="DeadlockDetectionMode.WhenProcessQuiet"/>).
    /// </summary>
    private static int s_runningLoops;

    private readonly WorkQueue _runQueue = new();
    private readonly object _gate = new();
    private readonly System.Collections.Concurrent.ConcurrentQueue<WorkItem> _incoming = new();
    private bool _waiting;
    private bool _wakeRequested;
    private bool _closed;

    private readonly TimerQueue _timers = new();
    private readonly VirtualTimeProvider? _virtualTime;
    private readonly bool _autoAdvance;
    private readonly long _originTimestamp;
    private long _timerSequence;
    private int _liveTimers;
    private int _externalOperations;
    private int _keepAlives;
    private readonly CancellationTokenSource _closedSource = new();

    private readonly HookList<Action> _enterHooks = new();
    private readonly HookList<Action> _leaveHooks = new();
    private readonly HookList<Action<TimeSpan>> _timeAdvancedHooks = new();
    private readonly HookList<Func<IEnumerable<string>>> _describers = new();

    private readonly Action<Exception>? _unhandled;
    private readonly DeadlockDetectionMode _deadlockMode;
    private int _ownerThreadId;
    private int _depth;
    private long _iteration;
    private long _idleWaits;
    private long _jumpedTo = -1;

    /// <summary>Creates a loop bound to the calling thread until a run starts on another one.</summary>
    /// <exception cref="ArgumentException"><see cref="EventLoopOptions.VirtualTime"/> is set with a clock that is not a <see cref="VirtualTimeProvider"/>.</exception>
    public EventLoop(EventLoopOptions? options = null)
    {
        options ??= new EventLoopOptions();
        Name = options.Name ?? "loop";
        if (options.VirtualTime)
        {
            _virtualTime = options.Time switch
            {
                null => new VirtualTimeProvider(),
                VirtualTimeProvider v => v,
                _ => throw new ArgumentException("EventLoopOptions.VirtualTime needs a VirtualTimeProvider (or none) as Time.", nameof(options)),
            };
            Time = _virtualTime;
            _autoAdvance = true;
            _virtualTime.Changed += Wake;
        }
        else
        {
            Time = options.Time ?? TimeProvider.System;
            _virtualTime = options.Time as VirtualTimeProvider;
            if (_virtualTime is not null)
            {
                _virtualTime.Changed += Wake;
            }
        }

        _originTimestamp = Time.GetTimestamp();
        _unhandled = options.UnhandledException;
        _deadlockMode = options.DeadlockDetection
            ?? (options.VirtualTime ? DeadlockDetectionMode.Strict : DeadlockDetectionMode.WhenProcessQuiet);
        _ownerThreadId = Environment.CurrentManagedThreadId;
        SynchronizationContext = new LoopSynchronizationContext(this);
    }

    /// <summary>The loop running on the calling thread, or null (Lwt_main's implicit engine; Eio's current domain scheduler).</summary>
    public static EventLoop? Current => t_current;

    /// <summary>The name given in <see cref="EventLoopOptions.Name"/> ("loop" by default).</summary>
    public string Name { get; }

    /// <summary>The loop's clock: <see cref="TimeProvider.System"/> or a <see cref="VirtualTimeProvider"/>.</summary>
    public TimeProvider Time { get; }

    /// <summary>The virtual clock when the loop runs on one (jumping or manual), else null.</summary>
    public VirtualTimeProvider? VirtualTime => _virtualTime;

    /// <summary>Whether the loop moves its virtual clock itself when idle (<see cref="EventLoopOptions.VirtualTime"/>).</summary>
    public bool IsVirtualTime => _autoAdvance;

    /// <summary>The <see cref="SynchronizationContext"/> that <see cref="RunUntil"/> installs: <c>await</c> comes back here.</summary>
    public LoopSynchronizationContext SynchronizationContext { get; }

    /// <summary>True when called on the thread that owns (or is running) this loop.</summary>
    public bool IsOnLoopThread => Environment.CurrentManagedThreadId == Volatile.Read(ref _ownerThreadId);

    /// <summary>True while <see cref="RunUntil"/> is on the stack.</summary>
    public bool IsRunning => Volatile.Read(ref _depth) > 0;

    /// <summary>Number of items in the run queue (loop thread) — diagnostics only.</summary>
    public int QueuedCount => _runQueue.Count;

    /// <summary>Time since the loop's clock origin (for virtual time: since the virtual clock started).</summary>
    public TimeSpan Elapsed => TimeSpan.FromTicks(NowTicks());

    /// <summary>How many iterations have started.</summary>
    public long Iteration => _iteration;

    /// <summary>Appends a work item to the tail of the run queue (Eio's <c>enqueue</c>). Loop thread only; allocation-free.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is null.</exception>
    /// <exception cref="InvalidOperationException">Called off the loop thread, or the loop has been disposed (the item would never run).</exception>
    public void Enqueue(Action<object?> callback, object? state)
    {
        ArgumentNullException.ThrowIfNull(callback);
        CheckLoopThread("EventLoop.Enqueue");
        ThrowIfClosed();
        _runQueue.PushTail(new WorkItem(callback, state, null));
    }

    /// <summary>Appends <paramref name="item"/> to the tail of the run queue. Loop thread only; allocation-free.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="item"/> is null.</exception>
    /// <exception cref="InvalidOperationException">Called off the loop thread, or the loop has been disposed (the item would never run).</exception>
    public void Enqueue(ILoopWorkItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        CheckLoopThread("EventLoop.Enqueue");
        ThrowIfClosed();
        _runQueue.PushTail(new WorkItem(null, item, null));
    }

    /// <summary>
    /// Puts a work item at the head of the run queue, so it runs next: how Eio's <c>Fiber.fork</c> parks the parent
    /// while the child runs. Loop thread only.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is null.</exception>
    /// <exception cref="InvalidOperationException">Called off the loop thread, or the loop has been disposed (the item would never run).</exception>
    public void EnqueueAtHead(Action<object?> callback, object? state)
    {
        ArgumentNullException.ThrowIfNull(callback);
        CheckLoopThread("EventLoop.EnqueueAtHead");
        ThrowIfClosed();
        _runQueue.PushHead(new WorkItem(callback, state, null));
    }

    /// <summary>Puts <paramref name="item"/> at the head of the run queue. Loop thread only.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="item"/> is null.</exception>
    /// <exception cref="InvalidOperationException">Called off the loop thread, or the loop has been disposed (the item would never run).</exception>
    public void EnqueueAtHead(ILoopWorkItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        CheckLoopThread("EventLoop.EnqueueAtHead");
        ThrowIfClosed();
        _runQueue.PushHead(new WorkItem(null, item, null));
    }

    /// <summary>
    /// Queues <paramref name="callback"/> to run on the loop, from any thread (<c>Lwt_unix.send_notification</c>,
    /// <see cref="System.Threading.SynchronizationContext.Post"/>). Items posted from one thread run in the order
    /// posted; an idle loop is woken; the callback runs under the <see cref="ExecutionContext"/> captured here.
    /// Never loses an item.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The loop has been disposed: the item would never run.</exception>
    public void Post(Action<object?> callback, object? state)
    {
        ArgumentNullException.ThrowIfNull(callback);
        PostItem(new WorkItem(callback, state, ExecutionContext.Capture()));
    }

    /// <summary>
    /// <see cref="Post"/> for callers that have somewhere else to go when the loop has closed (a continuation that outlived
    /// its run): false instead of the exception, when the loop was closed before the post.
    /// </summary>
    internal bool TryPost(Action<object?> callback, object? state)
    {
        try
        {
            PostItem(new WorkItem(callback, state, ExecutionContext.Capture()));
            return true;
        }
        catch (InvalidOperationException) when (Volatile.Read(ref _closed))
        {
            return false; // closed before (or while) posting: the loop drops (and reports) what it had taken in
        }
    }

    /// <summary>
    /// Queues <paramref name="callback"/> on the loop from any thread — to the run queue on the loop thread, else as a
    /// post — or returns false when the loop has been disposed, for callers that then run the work elsewhere.
    /// </summary>
    internal bool TryEnqueueOrPost(Action<object?> callback, object? state)
    {
        if (Volatile.Read(ref _closed))
        {
            return false;
        }

        if (IsOnLoopThread)
        {
            _runQueue.PushTail(new WorkItem(callback, state, null));
            return true;
        }

        return TryPost(callback, state);
    }

    /// <summary>Loop-thread fast path of <see cref="LoopSynchronizationContext.Post"/>: straight to the run queue.</summary>
    internal void EnqueueSendOrPost(SendOrPostCallback callback, object? state, ExecutionContext? context)
        => _runQueue.PushTail(new WorkItem(callback, state, context));

    /// <summary>
    /// The post path: lock-free (a <see cref="System.Collections.Concurrent.ConcurrentQueue{T}"/>, whose segments are
    /// reused once the backlog has been seen), taking the lock only to wake a sleeping loop.
    /// </summary>
    internal void PostItem(in WorkItem item)
    {
        if (Volatile.Read(ref _closed))
        {
            throw PostAfterClose();
        }

        _incoming.Enqueue(item); // a full fence: the read of _waiting below cannot move before it
        if (Volatile.Read(ref _closed))
        {
            // Dispose ran concurrently: the item may never run, so the poster hears about it (Dispose may report it too).
            throw PostAfterClose();
        }

        if (Volatile.Read(ref _waiting))
        {
            WakeSleeper(wakeRequest: false);
        }
    }

    private InvalidOperationException PostAfterClose() => new(
        $"Event loop '{Name}' has been disposed; the posted work would never run. Post before the loop ends, or keep it alive (LoopThread, TaskLoop.Run) until its work is done.");

    /// <summary>
    /// Starts a one-shot timer that runs <paramref name="callback"/> on the loop once <paramref name="due"/> has
    /// elapsed on <see cref="Time"/> (<c>Lwt_engine.on_timer</c>; the sleep queue of Eio's schedulers). Timers fire in
    /// deadline order, ties in registration order, never in the iteration that created them. Loop thread only.
    /// </summary>
    /// <returns>A handle whose <see cref="LoopTimer.Cancel"/> stops the timer.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="due"/> is negative.</exception>
    /// <exception cref="InvalidOperationException">Called off the loop thread, or after disposal.</exception>
    public LoopTimer StartTimer(TimeSpan due, Action<object?> callback, object? state)
    {
        ArgumentNullException.ThrowIfNull(callback);
        ArgumentOutOfRangeException.ThrowIfLessThan(due, TimeSpan.Zero);
        CheckLoopThread("EventLoop.StartTimer");
        ThrowIfClosed();
        long sequence = _virtualTime is not null ? _virtualTime.NextSequence() : ++_timerSequence;
        long deadline = VirtualTimeProvider.Deadline(NowTicks(), due.Ticks, _virtualTime?.MaxTicks ?? long.MaxValue);
        var timer = new LoopTimer(this, deadline, sequence, _iteration, callback, state);
        _timers.Add(timer);
        _liveTimers++;
        return timer;
    }

    /// <summary>
    /// Tells the loop that an operation outside it may still post work, so an idle loop waits for it instead of
    /// reporting a deadlock (the role of Lwt's pending I/O and Eio's outstanding system calls). Thread-safe; dispose the
    /// handle (from any thread) when the operation is done. On virtual time the clock does not jump while an operation
    /// is tracked — its result belongs to the current virtual instant — so do not track work that itself waits for
    /// virtual time.
    /// </summary>
    public ExternalOperation TrackExternalOperation()
    {
        Interlocked.Increment(ref _externalOperations);
        return new ExternalOperation(this);
    }

    /// <summary>Adds a hook run at the start of every iteration (<c>Lwt_main.Enter_iter_hooks</c>). Dispose the handle to remove it.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="hook"/> is null.</exception>
    public IDisposable AddEnterIterationHook(Action hook) => _enterHooks.Add(hook);

    /// <summary>Adds a hook run at the end of every iteration (<c>Lwt_main.Leave_iter_hooks</c>). Dispose the handle to remove it.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="hook"/> is null.</exception>
    public IDisposable AddLeaveIterationHook(Action hook) => _leaveHooks.Add(hook);

    /// <summary>
    /// Adds a hook called with the new <see cref="Elapsed"/> each time the idle loop moves virtual time forward,
    /// after the timers due then have fired (Eio_mock traces <c>mock time is now …</c> here).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="hook"/> is null.</exception>
    public IDisposable AddVirtualTimeAdvancedHook(Action<TimeSpan> hook) => _timeAdvancedHooks.Add(hook);

    /// <summary>
    /// Adds a source of "what is still waiting" lines for <see cref="DeadlockException"/> (fiber names, promise labels).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="describe"/> is null.</exception>
    public IDisposable AddDeadlockDescriber(Func<IEnumerable<string>> describe) => _describers.Add(describe);

    /// <summary>
    /// Runs the loop on the calling thread until <paramref name="done"/> returns true (checked before the first item and
    /// after every item): <c>Lwt_main.run</c>'s and Eio's scheduler loop. Installs <see cref="SynchronizationContext"/>
    /// and sets <see cref="Current"/> for the duration. May be nested on the loop thread (a nested pump, as
    /// <c>TaskLoop.Join</c> does).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="done"/> is null.</exception>
    /// <exception cref="DeadlockException">Nothing can ever make <paramref name="done"/> true (see <see cref="DeadlockDetectionMode"/>).</exception>
    /// <exception cref="InvalidOperationException">The loop runs on another thread, or has been disposed.</exception>
    public void RunUntil(Func<bool> done)
    {
        ArgumentNullException.ThrowIfNull(done);
        ThrowIfClosed();
        bool outermost = _depth == 0;
        if (outermost)
        {
            Volatile.Write(ref _ownerThreadId, Environment.CurrentManagedThreadId);
            Interlocked.Increment(ref s_runningLoops);
        }
        else
        {
            CheckLoopThread("EventLoop.RunUntil");
        }

        var previousLoop = t_current;
        var previousContext = System.Threading.SynchronizationContext.Current;
        t_current = this;
        System.Threading.SynchronizationContext.SetSynchronizationContext(SynchronizationContext);
        Volatile.Write(ref _depth, _depth + 1);
        var baseline = ExecutionContext.Capture();
        try
        {
            while (!done())
            {
                if (!RunIteration(done, baseline) && !done())
                {
                    Idle();
                }
            }
        }
        finally
        {
            Volatile.Write(ref _depth, _depth - 1);
            if (outermost)
            {
                Interlocked.Decrement(ref s_runningLoops);
            }

            t_current = previousLoop;
            System.Threading.SynchronizationContext.SetSynchronizationContext(previousContext);
        }
    }

    /// <summary>True while the loop thread is blocked waiting for a post, a wake-up or a timer (diagnostics and tests).</summary>
    internal bool IsWaitingForWork
    {
        get
        {
            lock (_gate)
            {
                return _waiting;
            }
        }
    }

    /// <summary>How many times the loop thread has blocked waiting for work (diagnostics and tests).</summary>
    internal long IdleWaits => Volatile.Read(ref _idleWaits);

    /// <summary>
    /// The states of queued items whose callback is <paramref name="callback"/>, run queue first, then posts — for
    /// debugger views such as <c>TaskScheduler.GetScheduledTasks</c>. Meant for a stopped or idle loop: it reads the
    /// run queue without synchronization.
    /// </summary>
    internal List<object?> QueuedStates(Delegate callback)
    {
        var states = new List<object?>();
        foreach (var item in _runQueue.ToArray())
        {
            if (ReferenceEquals(item.Callback, callback))
            {
                states.Add(item.State);
            }
        }

        foreach (var item in _incoming.ToArray())
        {
            if (ReferenceEquals(item.Callback, callback))
            {
                states.Add(item.State);
            }
        }

        return states;
    }

    /// <summary>True when the run queue or the post queue holds an item.</summary>
    internal bool HasQueuedWork => _runQueue.Count > 0 || !_incoming.IsEmpty;

    /// <summary>
    /// Runs queued and posted items — no timers, no waiting — until none is left or <paramref name="maxItems"/> have run.
    /// Runners call it when their main work is done, so continuations already in flight are not dropped.
    /// </summary>
    /// <returns>True when nothing is left queued.</returns>
    internal bool Drain(int maxItems)
    {
        int checks = 0;
        RunUntil(() => !HasQueuedWork || checks++ > maxItems);
        return !HasQueuedWork;
    }

    /// <summary>
    /// Closes the loop: later posts throw. Items still queued at this point would never run, so they are reported —
    /// to <see cref="EventLoopOptions.UnhandledException"/> if set, else as an <see cref="InvalidOperationException"/>
    /// thrown from here — never dropped silently. Runners drain their work before disposing. A thread blocked in
    /// <see cref="LoopSynchronizationContext.Send"/> for an item that will now never run gets an exception.
    /// </summary>
    /// <exception cref="InvalidOperationException">Work was still queued and no unhandled-error hook is set; or the loop is running.</exception>
    public void Dispose() => Close(throwOnLeftovers: true);

    /// <summary>
    /// Closes the loop after its run failed with an exception that the caller is about to rethrow: items still queued
    /// go to <see cref="EventLoopOptions.UnhandledException"/> if set, and are otherwise dropped rather than reported by
    /// an exception that would hide the real failure.
    /// </summary>
    internal void CloseAfterFailure() => Close(throwOnLeftovers: false);

    private void Close(bool throwOnLeftovers)
    {
        int left;
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            if (_depth > 0)
            {
                throw new InvalidOperationException($"Event loop '{Name}' cannot be disposed while it is running.");
            }

            Volatile.Write(ref _closed, true);
        }

        left = 0;
        while (_incoming.TryDequeue(out _))
        {
            left++;
        }

        if (_virtualTime is not null)
        {
            _virtualTime.Changed -= Wake;
        }

        left += _runQueue.Clear();
        _closedSource.Cancel();
        if (left > 0 && (throwOnLeftovers || _unhandled is not null))
        {
            ReportOrThrow(new InvalidOperationException(
                $"{left} work item(s) were still queued when event loop '{Name}' was disposed; they will not run."));
        }
    }

    /// <summary>
    /// Throws the "wrong thread" <see cref="InvalidOperationException"/> for <paramref name="operation"/> unless on the
    /// loop thread.
    /// </summary>
    internal void CheckLoopThread(string operation)
    {
        if (Environment.CurrentManagedThreadId != _ownerThreadId)
        {
            throw WrongThread(operation);
        }
    }

    internal InvalidOperationException WrongThread(string operation) => new(
        $"{operation} must be called on the thread of event loop '{Name}' (thread {_ownerThreadId}) but was called on thread {Environment.CurrentManagedThreadId}. " +
        "The usual cause is ConfigureAwait(false) or Task.Run moving the code off the loop: remove it, or get back with EventLoop.Post or 'await loop.SwitchTo()'.");

    internal long NowTicks() => _virtualTime is not null
        ? _virtualTime.GetTimestamp()
        : Time.GetElapsedTime(_originTimestamp).Ticks;

    internal void OnTimerCancelled()
    {
        // Cancellation may come from any thread; the count is only a hint for the idle path, which re-checks the heap.
        Interlocked.Decrement(ref _liveTimers);
        Wake();
    }

    /// <summary>Cancelled when the loop is disposed: lets threads blocked on the loop (Send) stop waiting.</summary>
    internal CancellationToken ClosedToken => _closedSource.Token;

    /// <summary>
    /// Keeps an idle loop waiting for posts instead of reporting a deadlock, without holding virtual time still the way
    /// a tracked external operation does (a <c>LoopThread</c> waiting for work is not work in flight). Thread-safe.
    /// </summary>
    internal void AddKeepAlive() => Interlocked.Increment(ref _keepAlives);

    /// <summary>Ends an <see cref="AddKeepAlive"/> and wakes the loop so it re-examines its state. Thread-safe.</summary>
    internal void RemoveKeepAlive()
    {
        Interlocked.Decrement(ref _keepAlives);
        Wake();
    }

    internal void OnExternalOperationCompleted()
    {
        Interlocked.Decrement(ref _externalOperations);
        Wake();
    }

    /// <summary>Makes an idle loop re-examine its state. Thread-safe.</summary>
    internal void Wake() => WakeSleeper(wakeRequest: true);

    private void WakeSleeper(bool wakeRequest)
    {
        lock (_gate)
        {
            if (wakeRequest)
            {
                _wakeRequested = true;
            }

            if (_waiting)
            {
                _waiting = false; // one pulse wakes it; later posts need not pulse again
                Monitor.Pulse(_gate);
            }
        }
    }

    private bool RunIteration(Func<bool> done, ExecutionContext? baseline)
    {
        _iteration++;
        bool didWork = false;
        try
        {
            if (!_enterHooks.IsEmpty)
            {
                RunHooks(_enterHooks);
                RestoreContext(baseline);
            }

            if (!_incoming.IsEmpty)
            {
                DrainPosts();
            }

            if (FireDueTimers(NowTicks()))
            {
                didWork = true;
                RestoreContext(baseline);
            }

            if (_jumpedTo >= 0)
            {
                RunTimeAdvancedHooks();
                RestoreContext(baseline);
            }

            didWork |= RunBatch(done, baseline);
        }
        finally
        {
            RunHooks(_leaveHooks);
        }

        // Whether to go straight into another iteration. After an iteration that ran something, one more always follows
        // before the loop may idle: its enter hooks may have work of their own (Lwt_main wakes paused promises there).
        // Otherwise the idle path looks again at posts, wake-ups and timers before it sleeps, jumps virtual time or
        // reports a deadlock.
        return didWork || _runQueue.Count > 0 || !_incoming.IsEmpty;
    }

    /// <summary>
    /// Runs up to <see cref="BatchSize"/> queued items, checking <paramref name="done"/> after each; true if any ran. The exception
    /// handler sits outside the per-item loop (the hot path), and the loop resumes after a reported exception.
    /// </summary>
    private bool RunBatch(Func<bool> done, ExecutionContext? baseline)
    {
        int budget = BatchSize;
        while (true)
        {
            try
            {
                while (budget > 0 && _runQueue.TryPop(out var item))
                {
                    budget--;
                    item.Invoke(baseline); // every item starts in the baseline context (restored after all user code)
                    RestoreContext(baseline);
                    if (done())
                    {
                        return true;
                    }
                }

                return budget < BatchSize;
            }
            catch (Exception e)
            {
                RestoreContext(baseline);
                ReportOrThrow(e); // throws unless an unhandled-error hook took it
                if (done())
                {
                    return true;
                }
            }
        }
    }

    /// <summary>Puts the loop's own execution context back after user code ran, so nothing leaks into the next item.</summary>
    private static void RestoreContext(ExecutionContext? baseline)
    {
        if (baseline is not null && !ReferenceEquals(ExecutionContext.Capture(), baseline))
        {
            ExecutionContext.Restore(baseline);
        }
    }

    private void RunHooks(HookList<Action> hooks)
    {
        if (hooks.IsEmpty)
        {
            return;
        }

        foreach (var hook in hooks.Snapshot)
        {
            hook();
        }
    }

    /// <summary>Moves posted items to the tail of the run queue: those already posted, at most a few batches' worth.</summary>
    private void DrainPosts()
    {
        for (int budget = 4 * BatchSize; budget > 0 && _incoming.TryDequeue(out var item); budget--)
        {
            _runQueue.PushTail(item);
        }
    }

    /// <summary>
    /// Fires the timers due by <paramref name="now"/>: loop timers created before this iteration and, on a virtual
    /// clock, the clock's own timers (<c>Task.Delay</c>, <see cref="PeriodicTimer"/>), merged in (deadline,
    /// registration) order.
    /// </summary>
    private bool FireDueTimers(long now)
    {
        var clock = _virtualTime;
        if (clock is null || !clock.MayHaveTimers)
        {
            return FireDueLoopTimers(now);
        }

        bool fired = false;
        while (true)
        {
            LoopTimer? timer = null;
            bool loopDue = Volatile.Read(ref _liveTimers) > 0 && _timers.TryPeek(out timer)
                && timer.Deadline <= now && timer.CreatedIteration < _iteration;
            bool clockDue = clock.TryPeekNext(out long deadline, out long sequence) && deadline <= now;
            if (loopDue && (!clockDue || (timer!.Deadline, timer.Sequence).CompareTo((deadline, sequence)) < 0))
            {
                _timers.RemoveTop();
                fired |= FireTimer(timer!);
            }
            else if (clockDue && clock.TryFireNext(now))
            {
                fired = true;
            }
            else
            {
                return fired;
            }
        }
    }

    private bool FireDueLoopTimers(long now)
    {
        bool fired = false;
        while (Volatile.Read(ref _liveTimers) > 0 && _timers.TryPeek(out var timer)
               && timer.Deadline <= now && timer.CreatedIteration < _iteration)
        {
            _timers.RemoveTop();
            fired |= FireTimer(timer);
        }

        return fired;
    }

    private bool FireTimer(LoopTimer timer)
    {
        try
        {
            if (!timer.TryFire())
            {
                return false;
            }
        }
        catch (Exception e)
        {
            Interlocked.Decrement(ref _liveTimers);
            ReportOrThrow(e);
            return true;
        }

        Interlocked.Decrement(ref _liveTimers);
        return true;
    }

    /// <summary>
    /// Jumps virtual time to the earliest timer (loop timer or <see cref="VirtualTimeProvider"/> timer); the next
    /// iteration fires every timer due then, between its hooks, like a real-time iteration would.
    /// </summary>
    /// <returns>False when no timer is pending.</returns>
    private bool TryAdvanceVirtualTime()
    {
        var clock = _virtualTime!;
        bool haveLoopTimer = _timers.TryPeek(out var next);
        long clockDeadline = 0;
        bool haveClockTimer = clock.MayHaveTimers && clock.TryPeekNext(out clockDeadline, out _);
        if (!haveLoopTimer && !haveClockTimer)
        {
            return false;
        }

        long target = haveLoopTimer && (!haveClockTimer || next.Deadline <= clockDeadline) ? next.Deadline : clockDeadline;
        if (clock.JumpTo(target))
        {
            _jumpedTo = target;
        }

        return true;
    }

    private void RunTimeAdvancedHooks()
    {
        long target = _jumpedTo;
        _jumpedTo = -1;
        if (!_timeAdvancedHooks.IsEmpty)
        {
            var elapsed = TimeSpan.FromTicks(target);
            foreach (var hook in _timeAdvancedHooks.Snapshot)
            {
                hook(elapsed);
            }
        }
    }

    /// <summary>Nothing is runnable: advance virtual time, wait for a post or a timer, or report a deadlock.</summary>
    private void Idle()
    {
        bool externalPending = Volatile.Read(ref _externalOperations) > 0;
        if (IsVirtualTime && !externalPending && _incoming.IsEmpty && TryAdvanceVirtualTime())
        {
            return;
        }

        int timeoutMs = Timeout.Infinite;
        bool timerPending = _timers.TryPeek(out var next);
        if (timerPending && _virtualTime is null)
        {
            long remaining = next.Deadline - NowTicks();
            if (remaining < TimeSpan.TicksPerMillisecond)
            {
                return; // due (or nearly): the next iteration fires it
            }

            timeoutMs = (int)Math.Min(int.MaxValue, (remaining + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond);
        }

        // On a virtual clock (jumping or moved by hand) a pending timer waits for the clock: woken by its Changed event.
        bool nothingCanWake = !timerPending && !externalPending && Volatile.Read(ref _keepAlives) == 0
            && !(_virtualTime is not null && _virtualTime.HasPendingTimers);
        bool reportDeadlock = false;
        if (nothingCanWake)
        {
            switch (_deadlockMode)
            {
                case DeadlockDetectionMode.Strict:
                    reportDeadlock = true;
                    break;
                case DeadlockDetectionMode.WhenProcessQuiet:
                    reportDeadlock = ProcessLooksQuiet();
                    timeoutMs = 20; // re-check: the process may go quiet later
                    break;
            }
        }

        if (!reportDeadlock && SpinForPost())
        {
            return;
        }

        lock (_gate)
        {
            // Announce the sleep, then look again: a poster enqueues then reads _waiting, the loop writes _waiting then
            // reads the queue, both with full fences, so one of them always sees the other.
            _waiting = true;
            Interlocked.MemoryBarrier();
            if (!_incoming.IsEmpty || _wakeRequested)
            {
                _waiting = false;
                _wakeRequested = false;
                return;
            }

            if (!reportDeadlock)
            {
                Volatile.Write(ref _idleWaits, _idleWaits + 1);
                try
                {
                    Monitor.Wait(_gate, timeoutMs);
                }
                finally
                {
                    _waiting = false;
                    _wakeRequested = false;
                }

                return;
            }

            _waiting = false;
        }

        throw new DeadlockException(Name, DescribeWaiters());
    }

    /// <summary>
    /// Spins briefly before the loop thread sleeps: a steady producer's next post usually arrives within microseconds,
    /// and a kernel wait plus wake-up costs far more (SemaphoreSlim spins before blocking for the same reason).
    /// </summary>
    /// <returns>True when a post or a wake-up arrived meanwhile.</returns>
    private bool SpinForPost()
    {
        var spinner = default(SpinWait);
        while (!spinner.NextSpinWillYield)
        {
            if (!_incoming.IsEmpty)
            {
                return true;
            }

            if (Volatile.Read(ref _wakeRequested))
            {
                // Cleared before the caller re-examines the loop's state, so whatever the wake-up signalled is seen.
                Volatile.Write(ref _wakeRequested, false);
                return true;
            }

            spinner.SpinOnce(sleep1Threshold: -1);
        }

        return false;
    }

    private static bool ProcessLooksQuiet()
    {
        if (Volatile.Read(ref s_runningLoops) > 1 || Timer.ActiveCount > 0 || ThreadPool.PendingWorkItemCount > 0)
        {
            return false;
        }

        ThreadPool.GetMaxThreads(out int maxWorkers, out _);
        ThreadPool.GetAvailableThreads(out int availableWorkers, out _);
        int busy = maxWorkers - availableWorkers - (Thread.CurrentThread.IsThreadPoolThread ? 1 : 0);
        return busy <= 0;
    }

    private List<string> DescribeWaiters()
    {
        var lines = new List<string>();
        foreach (var describe in _describers.Snapshot)
        {
            try
            {
                lines.AddRange(describe());
            }
            catch (Exception e)
            {
                lines.Add($"(a deadlock describer failed: {e.GetType().Name}: {e.Message})");
            }
        }

        return lines;
    }

    private void ReportOrThrow(Exception e)
    {
        if (_unhandled is null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e);
        }

        _unhandled(e);
    }

    private void ThrowIfClosed()
    {
        if (Volatile.Read(ref _closed))
        {
            throw new InvalidOperationException($"Event loop '{Name}' has been disposed.");
        }
    }
}
