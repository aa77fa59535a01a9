using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Bridge.Fibers;

/// <summary>
/// The opt-in async method builder for hot fiber code returning <see cref="ValueTask{TResult}"/>: see
/// <see cref="FiberMethodBuilder"/>. Apply it with <c>[AsyncMethodBuilder(typeof(FiberMethodBuilder&lt;&gt;))]</c>.
/// </summary>
/// <typeparam name="TResult">The method's result type.</typeparam>
[StructLayout(LayoutKind.Auto)]
public struct FiberMethodBuilder<TResult>
{
    private FiberMethodBox<TResult>? _box; // null until the method first suspends (or fails before it does)
    private TResult _result;               // the result of a method that finished without suspending

    /// <summary>Creates a builder (called by compiled code; .NET <c>AsyncValueTaskMethodBuilder&lt;T&gt;.Create</c>).</summary>
    /// <returns>A new builder.</returns>
    public static FiberMethodBuilder<TResult> Create() => default;

    /// <summary>The method's ValueTask (.NET <c>AsyncValueTaskMethodBuilder&lt;T&gt;.Task</c>).</summary>
    public readonly ValueTask<TResult> Task => _box is null ? new ValueTask<TResult>(_result) : new ValueTask<TResult>(_box, 0);

    /// <summary>
    /// Runs the method until it first suspends, restoring the caller's execution and synchronization contexts afterwards
    /// (.NET <c>AsyncValueTaskMethodBuilder&lt;T&gt;.Start</c>, whose implementation it uses).
    /// </summary>
    /// <typeparam name="TStateMachine">The compiler-generated state machine.</typeparam>
    /// <param name="stateMachine">The state machine.</param>
    public readonly void Start<TStateMachine>(ref TStateMachine stateMachine)
        where TStateMachine : IAsyncStateMachine => default(AsyncValueTaskMethodBuilder<TResult>).Start(ref stateMachine);

    /// <summary>Unused: the box holds the state machine (.NET <c>SetStateMachine</c>, obsolete there too).</summary>
    /// <param name="stateMachine">The heap-allocated state machine.</param>
    /// <exception cref="ArgumentNullException"><paramref name="stateMachine"/> is null.</exception>
    public readonly void SetStateMachine(IAsyncStateMachine stateMachine) => ArgumentNullException.ThrowIfNull(stateMachine);

    /// <summary>Completes the method with <paramref name="result"/> (.NET <c>SetResult</c>).</summary>
    /// <param name="result">The method's result.</param>
    public void SetResult(TResult result)
    {
        if (_box is null)
        {
            _result = result;
        }
        else
        {
            _box.SetResult(result);
        }
    }

    /// <summary>Completes the method with <paramref name="exception"/> (.NET <c>SetException</c>).</summary>
    /// <param name="exception">The method's exception.</param>
    /// <exception cref="ArgumentNullException"><paramref name="exception"/> is null.</exception>
    public void SetException(Exception exception) => FiberMethodBox<TResult>.SetException(ref _box, exception);

    /// <summary>Suspends on an awaiter that flows its own context (.NET <c>AwaitOnCompleted</c>).</summary>
    /// <typeparam name="TAwaiter">The awaiter.</typeparam>
    /// <typeparam name="TStateMachine">The state machine.</typeparam>
    /// <param name="awaiter">The awaiter.</param>
    /// <param name="stateMachine">The state machine.</param>
    public void AwaitOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : INotifyCompletion
        where TStateMachine : IAsyncStateMachine => awaiter.OnCompleted(FiberMethodBox<TResult>.Of(ref _box, ref stateMachine).MoveNextAction);

    /// <summary>
    /// Suspends on an awaiter (.NET <c>AwaitUnsafeOnCompleted</c>): Bridge's awaiters and <c>Fiber.Yield</c> park the box
    /// on the fiber with no delegate.
    /// </summary>
    /// <typeparam name="TAwaiter">The awaiter.</typeparam>
    /// <typeparam name="TStateMachine">The state machine.</typeparam>
    /// <param name="awaiter">The awaiter.</param>
    /// <param name="stateMachine">The state machine.</param>
    public void AwaitUnsafeOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : ICriticalNotifyCompletion
        where TStateMachine : IAsyncStateMachine => FiberMethodAwait.UnsafeOnCompleted(ref awaiter, FiberMethodBox<TResult>.Of(ref _box, ref stateMachine));
}
