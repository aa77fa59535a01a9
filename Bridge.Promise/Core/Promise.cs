using Bridge.Runtimes;

namespace Bridge.Promises;

/// <summary>
/// Creates promises and holds the Lwt module's functions: constructors (<c>return</c>, <c>fail</c>, <c>wait</c>,
/// <c>task</c>), combinators (<c>join</c>, <c>pick</c>, …), cancellation helpers, storage keys, and the runtime side
/// (<c>Lwt_main.run</c>, <c>Lwt_unix.sleep</c>, <c>Lwt_preemptive</c>).
/// </summary>
public static partial class Promise
{
    [ThreadStatic]
    private static EventLoop? t_defaultLoop;

    /// <summary>The shared fulfilled <see cref="Bridge.Unit"/> promise (Lwt <c>Lwt.return_unit</c>).</summary>
    public static Promise<Unit> Unit { get; } = new(default(Unit));

    /// <summary>
    /// The loop promise operations use on this thread: the running loop, else this thread's default loop (the one
    /// <see cref="Run{T}(Func{Promise{T}})"/> uses).
    /// </summary>
    internal static EventLoop AmbientLoop => EventLoop.Current ?? DefaultLoop;

    /// <summary>This thread's default loop for <see cref="Run{T}(Func{Promise{T}})"/>; created on first use and kept for the thread's lifetime.</summary>
    internal static EventLoop DefaultLoop => t_defaultLoop ??= new EventLoop(new EventLoopOptions { Name = "promise-main" });

    /// <summary>Creates a pending promise and its resolver; the promise is not cancelable (Lwt <c>Lwt.wait</c>).</summary>
    public static (Promise<T> Promise, Resolver<T> Resolver) Create<T>()
    {
        var p = new Promise<T>();
        return (p, new Resolver<T>(p));
    }

    /// <summary>
    /// Creates a pending cancelable promise and its resolver: <see cref="Promise{T}.Cancel"/> rejects it with
    /// <see cref="PromiseCanceledException"/> (Lwt <c>Lwt.task</c>).
    /// </summary>
    public static (Promise<T> Promise, Resolver<T> Resolver) CreateCancelable<T>()
    {
        var p = new Promise<T> { _cancelable = true };
        return (p, new Resolver<T>(p));
    }

    /// <summary>A new promise fulfilled with <paramref name="value"/> (Lwt <c>Lwt.return</c>).</summary>
    public static Promise<T> FromResult<T>(T value) => new(value);

    /// <summary>A new promise rejected with <paramref name="error"/> (Lwt <c>Lwt.fail</c>).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="error"/> is null.</exception>
    public static Promise<T> FromException<T>(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new Promise<T>(error);
    }

    /// <summary>
    /// Calls <paramref name="f"/> now and returns its promise; a synchronous throw becomes a rejected promise
    /// (Lwt <c>Lwt.apply</c>, <c>Lwt.wrap</c> for promise-returning functions).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> is null.</exception>
    public static Promise<T> Apply<T>(Func<Promise<T>> f)
    {
        ArgumentNullException.ThrowIfNull(f);
        try
        {
            return f() ?? new Promise<T>(NullPromise(nameof(Apply)));
        }
        catch (Exception e)
        {
            return new Promise<T>(e);
        }
    }

    /// <summary>
    /// Calls <paramref name="f"/> now: its value becomes a fulfilled promise, its exception a rejected one (Lwt <c>Lwt.wrap</c>).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> is null.</exception>
    public static Promise<T> Wrap<T>(Func<T> f)
    {
        ArgumentNullException.ThrowIfNull(f);
        try
        {
            return new Promise<T>(f());
        }
        catch (Exception e)
        {
            return new Promise<T>(e);
        }
    }

    /// <summary>
    /// Calls <paramref name="f"/> (a synchronous throw counts as a rejection) and handles its rejection with
    /// <paramref name="handler"/> (Lwt <c>Lwt.catch</c>). See <see cref="Promise{T}.Catch"/> for the immediate/pending rules.
    /// </summary>
    /// <exception cref="ArgumentNullException">A function is null.</exception>
    public static Promise<T> Catch<T>(Func<Promise<T>> f, Func<Exception, Promise<T>> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Apply(f).Catch(handler);
    }

    /// <summary>
    /// Calls <paramref name="f"/> (a synchronous throw counts as a rejection), then <paramref name="onFulfilled"/> or
    /// <paramref name="onRejected"/> (Lwt <c>Lwt.try_bind</c>). See <see cref="Promise{T}.TryBind{TResult}"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException">A function is null.</exception>
    public static Promise<TResult> TryBind<T, TResult>(Func<Promise<T>> f, Func<T, Promise<TResult>> onFulfilled, Func<Exception, Promise<TResult>> onRejected)
        => Apply(f).TryBind(onFulfilled, onRejected);

    /// <summary>
    /// Calls <paramref name="f"/> (a synchronous throw counts as a rejection) and runs <paramref name="cleanup"/> after it
    /// settles (Lwt <c>Lwt.finalize</c>). See <see cref="Promise{T}.Finally"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException">A function is null.</exception>
    public static Promise<T> Finally<T>(Func<Promise<T>> f, Func<Promise<Unit>> cleanup)
    {
        ArgumentNullException.ThrowIfNull(cleanup);
        return Apply(f).Finally(cleanup);
    }

    /// <summary>
    /// Runs <paramref name="f"/> now for its effects; a synchronous throw or a rejection (now or later) goes to
    /// <see cref="AsyncExceptionHook"/> (Lwt <c>Lwt.async</c>; despite the name nothing is deferred).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> is null.</exception>
    public static void Async<T>(Func<Promise<T>> f)
    {
        ArgumentNullException.ThrowIfNull(f);
        Apply(f).OnAnyInternal(null, static e => ReportAsyncException(e));
    }

    /// <summary>
    /// Runs <paramref name="f"/> now for its effects; a synchronous throw or a rejection goes to <paramref name="handler"/>
    /// (Lwt <c>Lwt.dont_wait</c>).
    /// </summary>
    /// <exception cref="ArgumentNullException">A function is null.</exception>
    public static void DontWait<T>(Func<Promise<T>> f, Action<Exception> handler)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(handler);
        Apply(f).OnAnyInternal(null, handler);
    }

    /// <summary>
    /// The handler of exceptions from <see cref="Async{T}"/> and from <c>OnSuccess/OnFailure/OnTermination/OnAny/OnCancel</c>
    /// callbacks (Lwt <c>Lwt.async_exception_hook</c>), per event loop: getting and setting act on the running loop (or this
    /// thread's default loop). When null (the default), the exception is thrown out of the active
    /// <see cref="Run{T}(Func{Promise{T}})"/> as soon as the current work item ends, or out of the loop's run when no
    /// <c>Promise.Run</c> is active — never swallowed.
    /// </summary>
    public static Action<Exception>? AsyncExceptionHook
    {
        get => PromiseLoopState.Ambient.Hook;
        set => PromiseLoopState.Ambient.Hook = value;
    }

    /// <summary>Hands <paramref name="e"/> to the ambient loop's async exception hook.</summary>
    internal static void ReportAsyncException(Exception e) => PromiseLoopState.Ambient.Report(e);

    internal static void InvokeGuarded(Action f)
    {
        try
        {
            f();
        }
        catch (Exception e)
        {
            ReportAsyncException(e);
        }
    }

    internal static void InvokeGuarded<TArg>(Action<TArg> f, TArg arg)
    {
        try
        {
            f(arg);
        }
        catch (Exception e)
        {
            ReportAsyncException(e);
        }
    }

    internal static InvalidOperationException NullPromise(string function) =>
        new($"{function} returned null instead of a promise.");
}
