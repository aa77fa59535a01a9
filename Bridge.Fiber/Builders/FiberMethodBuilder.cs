using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Bridge.Fibers;

/// <summary>
/// The opt-in async method builder for hot fiber code returning <see cref="ValueTask"/> (.NET
/// <c>AsyncValueTaskMethodBuilder</c>; Eio has no counterpart, its fibers being effects): apply it to a method, local
/// function or lambda with <c>[AsyncMethodBuilder(typeof(FiberMethodBuilder))]</c>. The method behaves as with the
/// standard builder — same scheduling, same exceptions, <see cref="AsyncLocal{T}"/> values flow the same way — but
/// suspending in a fiber parks the method's box on the fiber itself: no continuation delegate, no call through one per
/// resume, no execution-context switch when the context has not changed, and no Task wrapped around a fiber's body.
/// Outside fibers it works as an ordinary ValueTask builder. Two differences from the standard builder's Task-backed
/// ValueTask, shared with .NET's <c>PoolingAsyncValueTaskMethodBuilder</c>: reading the result of a method that has not
/// finished throws <see cref="InvalidOperationException"/> instead of blocking (in a fiber, blocking would stop the loop
/// for good), and a failed method that nothing awaits does not raise <c>TaskScheduler.UnobservedTaskException</c>.
/// </summary>
[StructLayout(LayoutKind.Auto)]
public struct FiberMethodBuilder
{
    private FiberMethodBox<VoidResult>? _box; // null until the method first suspends (or fails before it does)

    /// <summary>Creates a builder (called by compiled code; .NET <c>AsyncValueTaskMethodBuilder.Create</c>).</summary>
    /// <returns>A new builder.</returns>
    public static FiberMethodBuilder Create() => default;

    /// <summary>The method's ValueTask (.NET <c>AsyncValueTaskMethodBuilder.Task</c>).</summary>
    public readonly ValueTask Task => _box is null ? default : new ValueTask(_box, 0);

    /// <summary>Runs the method until it first suspends (.NET <c>AsyncValueTaskMethodBuilder.Start</c>).</summary>
    /// <typeparam name="TStateMachine">The compiler-generated state machine.</typeparam>
    /// <param name="stateMachine">The state machine.</param>
    public readonly void Start<TStateMachine>(ref TStateMachine stateMachine)
        where TStateMachine : IAsyncStateMachine => default(AsyncValueTaskMethodBuilder).Start(ref stateMachine);

    /// <summary>Unused: the box holds the state machine (.NET <c>SetStateMachine</c>).</summary>
    /// <param name="stateMachine">The heap-allocated state machine.</param>
    /// <exception cref="ArgumentNullException"><paramref name="stateMachine"/> is null.</exception>
    public readonly void SetStateMachine(IAsyncStateMachine stateMachine) => ArgumentNullException.ThrowIfNull(stateMachine);

    /// <summary>Completes the method (.NET <c>SetResult</c>).</summary>
    public readonly void SetResult() => _box?.SetResult(default);

    /// <summary>Completes the method with <paramref name="exception"/> (.NET <c>SetException</c>).</summary>
    /// <param name="exception">The method's exception.</param>
    /// <exception cref="ArgumentNullException"><paramref name="exception"/> is null.</exception>
    public void SetException(Exception exception) => FiberMethodBox<VoidResult>.SetException(ref _box, exception);

    /// <summary>Suspends on an awaiter that flows its own context (.NET <c>AwaitOnCompleted</c>).</summary>
    /// <typeparam name="TAwaiter">The awaiter.</typeparam>
    /// <typeparam name="TStateMachine">The state machine.</typeparam>
    /// <param name="awaiter">The awaiter.</param>
    /// <param name="stateMachine">The state machine.</param>
    public void AwaitOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : INotifyCompletion
        where TStateMachine : IAsyncStateMachine => awaiter.OnCompleted(FiberMethodBox<VoidResult>.Of(ref _box, ref stateMachine).MoveNextAction);

    /// <summary>Suspends on an awaiter (.NET <c>AwaitUnsafeOnCompleted</c>): in a fiber, the box is parked on it directly.</summary>
    /// <typeparam name="TAwaiter">The awaiter.</typeparam>
    /// <typeparam name="TStateMachine">The state machine.</typeparam>
    /// <param name="awaiter">The awaiter.</param>
    /// <param name="stateMachine">The state machine.</param>
    public void AwaitUnsafeOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : ICriticalNotifyCompletion
        where TStateMachine : IAsyncStateMachine => FiberMethodAwait.UnsafeOnCompleted(ref awaiter, FiberMethodBox<VoidResult>.Of(ref _box, ref stateMachine));
}

/// <summary>The result of a method that has none: <see cref="FiberMethodBuilder"/>'s box is the generic one over it.</summary>
internal readonly struct VoidResult;
