using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;

namespace Bridge.Fibers;

/// <summary>
/// A write-once value that fibers wait for (Eio's <c>Promise.t</c> with <c>or_exn</c> built in). Thread-safe: it may be
/// resolved from any thread or loop, and each waiting fiber is woken on its own loop, in FIFO order, at the tail of the
/// run queue — resolving never switches fibers. Awaiting a resolved promise returns at once without a cancellation check.
/// Also awaitable from ordinary async code outside fibers.
/// </summary>
/// <remarks>
/// <c>await promise</c> goes through <see cref="ValueTaskAwaiter{TResult}"/> over this promise as its
/// <see cref="IValueTaskSource{TResult}"/>: the async method builder then hands the suspended method's box straight to the
/// promise, so a waiting fiber costs no continuation delegate (64 bytes fewer per waiter).
/// </remarks>
/// <typeparam name="T">The value type.</typeparam>
public sealed class FiberPromise<T> : ICancelHook, IValueTaskSource<T>
{
    private SpinGate _gate;
    private readonly FiberWaitQueue _waiters = new();
    private List<PlainWaiter>? _plainWaiters;
    private volatile int _state; // 0 pending, 1 fulfilled, 2 rejected
    private T _value = default!;
    private Exception? _error;

    internal FiberPromise(string? label)
    {
        Label = label;
    }

    /// <summary>The label given at creation, for diagnostics.</summary>
    public string? Label { get; }

    /// <summary>True once resolved or rejected (Eio <c>Promise.is_resolved</c>). Thread-safe.</summary>
    public bool IsResolved => _state != 0;

    /// <summary>True when rejected.</summary>
    public bool IsFaulted => _state == 2;

    /// <summary>Reads the value without waiting (Eio <c>Promise.peek</c>): false while pending or when rejected. Thread-safe.</summary>
    public bool TryPeek(out T value)
    {
        if (_state == 1)
        {
            value = _value;
            return true;
        }

        value = default!;
        return false;
    }

    /// <summary>
    /// The awaiter: <c>T v = await promise;</c> (Eio <c>Promise.await</c> / <c>await_exn</c>). Returns at once when
    /// resolved; in a fiber, throws <see cref="CancelledException"/> if the fiber is cancelled when the wait would start,
    /// and suspends it cancellably otherwise.
    /// </summary>
    public ValueTaskAwaiter<T> GetAwaiter() => new ValueTask<T>(this, 0).GetAwaiter();

    /// <summary>The promise as a <see cref="ValueTask{TResult}"/> (awaitable any number of times, by any number of waiters).</summary>
    public ValueTask<T> AsValueTask() => new(this, 0);

    /// <summary>
    /// Pending, or the outcome. In a fiber whose context is cancelled, a pending promise reports
    /// <see cref="ValueTaskSourceStatus.Faulted"/>: the wait must not start, and <see cref="GetResult"/> throws
    /// <see cref="CancelledException"/>.
    /// </summary>
    ValueTaskSourceStatus IValueTaskSource<T>.GetStatus(short token) => _state switch
    {
        1 => ValueTaskSourceStatus.Succeeded,
        2 => ValueTaskSourceStatus.Faulted,
        // Cancelled, or already parked on another wait: GetResult reports it to this caller instead of suspending.
        _ => FiberContext.Running is { } fiber && (fiber.IsCancelled || fiber.HasParkedContinuation)
            ? ValueTaskSourceStatus.Faulted
            : ValueTaskSourceStatus.Pending,
    };

    /// <summary>The value; rethrows the rejection; throws <see cref="CancelledException"/> if the wait was cancelled.</summary>
    T IValueTaskSource<T>.GetResult(short token) => new Awaiter(this).GetResult();

    /// <summary>Suspends the calling fiber (cancellably) or, outside fibers, schedules the continuation when resolved.</summary>
    void IValueTaskSource<T>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
    {
        // Only an await suspends the fiber it runs in; anything else (AsTask, a combinator) is a plain waiter even when
        // it registers from inside a fiber.
        var fiber = BoxInvoker.IsAwait(continuation) ? FiberContext.Running : null;
        fiber?.Suspend(continuation, state, this); // parked before any other thread can see it
        _gate.Enter();
        bool resolved = _state != 0;
        if (!resolved)
        {
            if (fiber is not null)
            {
                _waiters.Enqueue(fiber);
            }
            else
            {
                (_plainWaiters ??= []).Add(PlainWaiter.Capture(continuation, state, flags));
            }
        }

        _gate.Exit();
        if (resolved)
        {
            if (fiber is not null)
            {
                fiber.Resume(); // resolved meanwhile by another thread
            }
            else
            {
                PlainWaiter.Capture(continuation, state, flags).Schedule();
            }
        }
    }

    /// <summary>Describes the promise for debugging.</summary>
    public override string ToString() => $"FiberPromise '{Label ?? "?"}' ({(_state == 0 ? "pending" : _state == 1 ? "fulfilled" : "rejected")})";

    internal bool TryComplete(T value, Exception? error)
    {
        FiberContext? fibers;
        List<PlainWaiter>? plain;
        _gate.Enter();
        if (_state != 0)
        {
            _gate.Exit();
            return false;
        }

        _value = value;
        _error = error;
        _state = error is null ? 1 : 2;
        fibers = _waiters.DetachAll();
        plain = _plainWaiters;
        _plainWaiters = null;
        _gate.Exit();

        FiberWaitQueue.ResumeDetached(fibers); // FIFO, each to the tail of its own loop's run queue

        if (plain is not null)
        {
            foreach (var waiter in plain)
            {
                waiter.Schedule();
            }
        }

        return true;
    }

    void ICancelHook.Cancel(FiberContext fiber, CancelledException error)
    {
        FiberWaitQueue.CancelWaiter(ref _gate, _waiters, fiber, error);
    }

    private T GetResult()
    {
        if (_state == 2)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(_error!);
        }

        return _value;
    }

    /// <summary>
    /// A struct awaiter over the promise with the same semantics as <see cref="GetAwaiter"/>, for callers that want one
    /// (<c>await</c> itself uses the <see cref="ValueTaskAwaiter{TResult}"/>, which allocates less per waiting fiber).
    /// </summary>
    public readonly struct Awaiter : ICriticalNotifyCompletion
    {
        private readonly FiberPromise<T> _promise;

        /// <summary>An awaiter over <paramref name="promise"/>.</summary>
        /// <exception cref="ArgumentNullException"><paramref name="promise"/> is null.</exception>
        public Awaiter(FiberPromise<T> promise)
        {
            _promise = promise;
        }

        /// <summary>
        /// True when resolved — or, in a fiber, when the fiber is cancelled: the check happens as the wait would start,
        /// and <see cref="GetResult"/> then throws <see cref="CancelledException"/>.
        /// </summary>
        public bool IsCompleted => _promise.IsResolved || (FiberContext.Running is { } fiber && (fiber.IsCancelled || fiber.HasParkedContinuation));

        /// <summary>The value; rethrows the rejection; throws <see cref="CancelledException"/> if the wait was cancelled.</summary>
        public T GetResult()
        {
            if (FiberContext.Running is { } fiber)
            {
                if (fiber.HasParkedContinuation && !_promise.IsResolved)
                {
                    throw fiber.ConcurrentAwaitError();
                }

                if (fiber.TakeResumeError() is { } error)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
                }

                if (!_promise.IsResolved)
                {
                    fiber.Check();
                }
            }

            return _promise.GetResult();
        }

        /// <summary>Registers the continuation (see <see cref="UnsafeOnCompleted"/>).</summary>
        public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

        /// <summary>Suspends the calling fiber (cancellably) or, outside fibers, queues the continuation to the caller's context.</summary>
        public void UnsafeOnCompleted(Action continuation)
        {
            ((IValueTaskSource<T>)_promise).OnCompleted(
                BoxInvoker.InvokeAction, continuation, 0, ValueTaskSourceOnCompletedFlags.UseSchedulingContext);
        }
    }

    /// <summary>A waiter outside fibers: its continuation and where to run it (captured context, else the thread pool).</summary>
    private readonly record struct PlainWaiter(Action<object?> Continuation, object? State, SynchronizationContext? Context, ExecutionContext? Flow)
    {
        public static PlainWaiter Capture(Action<object?> continuation, object? state, ValueTaskSourceOnCompletedFlags flags)
        {
            SynchronizationContext? context = null;
            if ((flags & ValueTaskSourceOnCompletedFlags.UseSchedulingContext) != 0)
            {
                context = SynchronizationContext.Current;
                if (context?.GetType() == typeof(SynchronizationContext))
                {
                    context = null;
                }
            }

            var flow = (flags & ValueTaskSourceOnCompletedFlags.FlowExecutionContext) != 0 ? ExecutionContext.Capture() : null;
            return new PlainWaiter(continuation, state, context, flow);
        }

        public void Schedule()
        {
            if (Context is not null)
            {
                Context.Post(static w => ((PlainWaiter)w!).Invoke(), this);
            }
            else
            {
                ThreadPool.UnsafeQueueUserWorkItem(static w => w.Invoke(), this, preferLocal: false);
            }
        }

        private void Invoke()
        {
            if (Flow is null)
            {
                Continuation(State);
            }
            else
            {
                ExecutionContext.Run(Flow, static w => ((PlainWaiter)w!).Continuation(((PlainWaiter)w!).State), this);
            }
        }
    }
}
