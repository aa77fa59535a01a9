using System.Diagnostics.CodeAnalysis;

namespace Bridge.Promises;

/// <summary>
/// The write side of a promise made by <see cref="Promise.Create{T}"/> or <see cref="Promise.CreateCancelable{T}"/>
/// (Lwt's <c>'a Lwt.u</c>). Like Lwt's resolver it is the promise itself, seen differently: a struct wrapping it, so
/// creating one allocates nothing, and when the promise has become a proxy the resolver acts on the proxy's target.
/// </summary>
/// <remarks>
/// Resolving a promise that is already resolved throws <see cref="InvalidOperationException"/> naming the method —
/// except when it was rejected with <see cref="PromiseCanceledException"/>, where the call is silently ignored.
/// Resolvers are used on the loop thread; on a thread-pool thread with no loop the methods throw.
/// </remarks>
/// <typeparam name="T">The value type.</typeparam>
public readonly struct Resolver<T> : IEquatable<Resolver<T>>
{
    private readonly Promise<T>? _promise;

    internal Resolver(Promise<T> promise)
    {
        _promise = promise;
    }

    /// <summary>The promise this resolver resolves.</summary>
    /// <exception cref="InvalidOperationException">The resolver is <c>default</c>.</exception>
    public Promise<T> Promise => _promise ?? throw Uninitialized();

    /// <summary>
    /// Fulfils the promise and runs its callbacks now, nested on this stack (Lwt <c>Lwt.wakeup</c>).
    /// </summary>
    /// <exception cref="InvalidOperationException">The promise is already resolved (and not canceled), or this is a thread-pool thread with no loop.</exception>
    public void Resolve(T value) => Fulfil(value, false, "Resolver.Resolve (Lwt.wakeup)");

    /// <summary>
    /// Rejects the promise and runs its callbacks now, nested (Lwt <c>Lwt.wakeup_exn</c>).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="error"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The promise is already resolved (and not canceled), or this is a thread-pool thread with no loop.</exception>
    public void Reject(Exception error) => Fail(error, false, "Resolver.Reject (Lwt.wakeup_exn)");

    /// <summary>
    /// Fulfils the promise now; runs its callbacks now when no callbacks are running, else defers them until the
    /// outermost callback batch ends (Lwt <c>Lwt.wakeup_later</c>, the recommended resolver).
    /// </summary>
    /// <exception cref="InvalidOperationException">The promise is already resolved (and not canceled), or this is a thread-pool thread with no loop.</exception>
    public void ResolveLater(T value) => Fulfil(value, true, "Resolver.ResolveLater (Lwt.wakeup_later)");

    /// <summary>
    /// Rejects the promise now; callbacks deferred as for <see cref="ResolveLater"/> (Lwt <c>Lwt.wakeup_later_exn</c>).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="error"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The promise is already resolved (and not canceled), or this is a thread-pool thread with no loop.</exception>
    public void RejectLater(Exception error) => Fail(error, true, "Resolver.RejectLater (Lwt.wakeup_later_exn)");

    /// <summary>True when both wrap the same promise.</summary>
    public bool Equals(Resolver<T> other) => ReferenceEquals(_promise, other._promise);

    /// <summary>True when <paramref name="obj"/> is a resolver of the same promise.</summary>
    public override bool Equals(object? obj) => obj is Resolver<T> other && Equals(other);

    /// <summary>The promise's identity hash.</summary>
    public override int GetHashCode() => _promise is null ? 0 : System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(_promise);

    /// <summary>True when both wrap the same promise.</summary>
    public static bool operator ==(Resolver<T> left, Resolver<T> right) => left.Equals(right);

    /// <summary>True when they wrap different promises.</summary>
    public static bool operator !=(Resolver<T> left, Resolver<T> right) => !left.Equals(right);

    private void Fulfil(T value, bool later, string operation)
    {
        var rt = PromiseRuntime.Current;
        rt.CheckResolveThread(operation);
        var p = (_promise ?? throw Uninitialized()).Underlying();
        if (p._state != Promise<T>.StatePending)
        {
            ThrowIfNotCanceled(p, operation);
            return;
        }

        p.FulfillCore(value, rt, later);
    }

    private void Fail(Exception error, bool later, string operation)
    {
        if (error is null)
        {
            Promise<T>.ThrowNull(nameof(error));
        }

        var rt = PromiseRuntime.Current;
        rt.CheckResolveThread(operation);
        var p = (_promise ?? throw Uninitialized()).Underlying();
        if (p._state != Promise<T>.StatePending)
        {
            ThrowIfNotCanceled(p, operation);
            return;
        }

        p.RejectCore(error, rt, later);
    }

    private static void ThrowIfNotCanceled(Promise<T> p, string operation)
    {
        if (p._state == Promise<T>.StateRejected && p._ref is PromiseCanceledException)
        {
            return;
        }

        ThrowAlreadyResolved(operation);
    }

    [DoesNotReturn]
    private static void ThrowAlreadyResolved(string operation) =>
        throw new InvalidOperationException($"{operation}: the promise is already resolved; a promise is resolved at most once.");

    private static InvalidOperationException Uninitialized() =>
        new("This Resolver is default-initialized; get one from Promise.Create or Promise.CreateCancelable.");
}
