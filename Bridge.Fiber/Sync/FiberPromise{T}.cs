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
    private readonly object _gate = new();
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
        List<FiberContext> fibers;
        List<(Action Continuation, SynchronizationContext? Context)>? plain;
        lock (_gate)
        {
            if (_state != 0)
            {
                return false;
            }

            _value = value;
            _error = error;
            _state = error is null ? 1 : 2;
            fibers = _waiters.IsEmpty ? [] : _waiters.TakeAll();
            plain = _plainWaiters;
            _plainWaiters = null;
        }

        foreach (var fiber in fibers)
        {
            fiber.Resume();
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
        bool removed;
        lock (_gate)
        {
            removed = _waiters.Remove(fiber);
        }

        if (removed)
        {
            fiber.Resume(error);
        }
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
            var promise = _promise;
            var fiber = FiberContext.Running;
            bool resolved;
            lock (promise._gate)
            {
                resolved = promise._state != 0;
                if (!resolved)
                {
                    if (fiber is not null)
                    {
                        fiber.Suspend(continuation, promise, null);
                        promise._waiters.Enqueue(fiber);
                    }
                    else
                    {
                        var context = SynchronizationContext.Current;
                        (promise._plainWaiters ??= []).Add((continuation, context?.GetType() == typeof(SynchronizationContext) ? null : context));
                    }
                }
            }

            if (resolved)
            {
                if (fiber is not null)
                {
                    fiber.Suspend(continuation, null, null);
                    fiber.Resume();
                }
                else
                {
                    continuation();
                }
            }
        }
    }
}
