using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Bridge.Runtimes;

namespace Bridge.Promises;

/// <summary>
/// Awaiter for <c>await promise</c> (the role of Lwt_direct's <c>await</c>): an already resolved promise completes
/// synchronously; otherwise the continuation is registered as an <c>on_any</c>-style callback that queues it on the
/// loop (<see cref="EventLoop.Enqueue(Action{object?}, object?)"/>) — it never runs inside the resolver's call.
/// </summary>
/// <remarks>
/// Awaiting off a loop thread falls back to the captured <see cref="SynchronizationContext"/>, or the thread pool when
/// there is none. Registration itself touches the promise, so await from another thread only while the promise's
/// loop is not running concurrently.
/// </remarks>
/// <typeparam name="T">The value type.</typeparam>
public readonly struct PromiseAwaiter<T> : ICriticalNotifyCompletion
{
    private readonly Promise<T> _promise;

    internal PromiseAwaiter(Promise<T> promise)
    {
        _promise = promise;
    }

    /// <summary>True once the promise is resolved.</summary>
    public bool IsCompleted => _promise.Underlying()._state is Promise<T>.StateFulfilled or Promise<T>.StateRejected;

    /// <summary>Returns the value, or throws the rejection with its original stack trace.</summary>
    /// <exception cref="InvalidOperationException">The promise is still pending.</exception>
    public T GetResult()
    {
        var p = _promise.Underlying();
        switch (p._state)
        {
            case Promise<T>.StateFulfilled:
                return p._value;
            case Promise<T>.StateRejected:
                ExceptionDispatchInfo.Throw((Exception)p._ref!);
                return default!;
            default:
                throw new InvalidOperationException("GetResult was called on a pending promise; await it instead.");
        }
    }

    /// <summary>Schedules <paramref name="continuation"/> for when the promise resolves.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="continuation"/> is null.</exception>
    public void OnCompleted(Action continuation) => Register(continuation);

    /// <summary>Schedules <paramref name="continuation"/> for when the promise resolves (no execution-context flow of its own).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="continuation"/> is null.</exception>
    public void UnsafeOnCompleted(Action continuation) => Register(continuation);

    private void Register(Action continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        var loop = EventLoop.Current;
        var context = loop is null ? SynchronizationContext.Current : null;
        var node = new AwaitNode<T>(continuation, loop, context);
        var p = _promise.Underlying();
        if (p._state == Promise<T>.StatePending)
        {
            p.AddCallback(node);
        }
        else
        {
            node.Schedule();
        }
    }
}
