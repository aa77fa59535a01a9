using System.Runtime.CompilerServices;

namespace Bridge.Fibers;

/// <summary>
/// A write-once value that fibers wait for (Eio's <c>Promise.t</c> with <c>or_exn</c> built in). Thread-safe: it may be
/// resolved from any thread or loop, and each waiting fiber is woken on its own loop, in FIFO order, at the tail of the
/// run queue — resolving never switches fibers. Awaiting a resolved promise returns at once without a cancellation check.
/// Also awaitable from ordinary async code outside fibers.
/// </summary>
/// <typeparam name="T">The value type.</typeparam>
public sealed class FiberPromise<T> : ICancelHook
{
    private SpinGate _gate;
    private readonly FiberWaitQueue _waiters = new();
    private List<(Action Continuation, SynchronizationContext? Context)>? _plainWaiters;
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

    /// <summary>The awaiter: <c>T v = await promise;</c> (Eio <c>Promise.await</c> / <c>await_exn</c>).</summary>
    public Awaiter GetAwaiter() => new(this);

    /// <summary>Describes the promise for debugging.</summary>
    public override string ToString() => $"FiberPromise '{Label ?? "?"}' ({(_state == 0 ? "pending" : _state == 1 ? "fulfilled" : "rejected")})";

    internal bool TryComplete(T value, Exception? error)
    {
        FiberContext? fibers;
        List<(Action Continuation, SynchronizationContext? Context)>? plain;
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

        // FIFO, appended to the tail of each waiter's run queue. Read the link first: a fiber resumed on another loop may
        // run, and wait elsewhere, before this loop is done.
        for (var fiber = fibers; fiber is not null;)
        {
            var next = fiber.WaitNext;
            fiber.WaitPrev = fiber.WaitNext = null;
            fiber.Resume();
            fiber = next;
        }

        if (plain is not null)
        {
            foreach (var (continuation, context) in plain)
            {
                if (context is not null)
                {
                    context.Post(static c => ((Action)c!)(), continuation);
                }
                else
                {
                    ThreadPool.UnsafeQueueUserWorkItem(static c => c(), continuation, preferLocal: false);
                }
            }
        }

        return true;
    }

    void ICancelHook.Cancel(FiberContext fiber, object? token, CancelledException error)
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

    /// <summary>The awaiter of a <see cref="FiberPromise{T}"/>.</summary>
    public readonly struct Awaiter : ICriticalNotifyCompletion
    {
        private readonly FiberPromise<T> _promise;

        internal Awaiter(FiberPromise<T> promise)
        {
            _promise = promise;
        }

        /// <summary>
        /// True when resolved — or, in a fiber, when the fiber is cancelled: the check happens as the wait would start,
        /// and <see cref="GetResult"/> then throws <see cref="CancelledException"/>.
        /// </summary>
        public bool IsCompleted => _promise.IsResolved || (FiberContext.Running is { } fiber && fiber.IsCancelled);

        /// <summary>The value; rethrows the rejection; throws <see cref="CancelledException"/> if the wait was cancelled.</summary>
        public T GetResult()
        {
            if (FiberContext.Running is { } fiber)
            {
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
            var promise = _promise;
            var fiber = FiberContext.Running;
            bool resolved;
            var context = fiber is null ? SynchronizationContext.Current : null;
            if (context?.GetType() == typeof(SynchronizationContext))
            {
                context = null; // await ignores the base type too
            }

            fiber?.Suspend(continuation, promise, null);
            promise._gate.Enter();
            resolved = promise._state != 0;
            if (!resolved)
            {
                if (fiber is not null)
                {
                    promise._waiters.Enqueue(fiber);
                }
                else
                {
                    (promise._plainWaiters ??= []).Add((continuation, context));
                }
            }

            promise._gate.Exit();

            if (resolved)
            {
                if (fiber is not null)
                {
                    fiber.Resume(); // resolved meanwhile by another thread
                }
                else
                {
                    continuation();
                }
            }
        }
    }
}
