using Bridge.Runtimes;

namespace Bridge.Fibers;

/// <summary>
/// Eio's <c>Fiber</c> and <c>Eio_main.run</c>: fibers are <c>async</c> functions scheduled by a Bridge loop with Eio's
/// exact, deterministic order — a forked child runs immediately and its parent goes to the head of the run queue;
/// wake-ups and <see cref="Yield"/> go to the tail; combinators run their last branch in the calling fiber.
/// </summary>
public static partial class Fiber
{
    /// <summary>
    /// Runs <paramref name="main"/> as the first fiber of a new loop on the calling thread, on real time, and returns when
    /// it has finished (Eio <c>Eio_main.run</c>).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="main"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The thread already runs a loop (nested run).</exception>
    public static void Run(Func<Env, ValueTask> main, FiberRunOptions? options = null) =>
        RunCore<Unit>(Lift(main), options, mock: false);

    /// <summary>Like <see cref="Run(Func{Env, ValueTask}, FiberRunOptions?)"/>, returning main's result.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="main"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The thread already runs a loop.</exception>
    public static T Run<T>(Func<Env, ValueTask<T>> main, FiberRunOptions? options = null) =>
        RunCore(main ?? throw new ArgumentNullException(nameof(main)), options, mock: false);

    /// <summary>
    /// Runs <paramref name="main"/> on a deterministic mock backend (Eio <c>Eio_mock.Backend.run_full</c>): a virtual clock
    /// that starts at 0 and jumps to the next timer when nothing is runnable, tracing <c>mock time is now &lt;t&gt;</c>;
    /// and <see cref="DeadlockException"/>, naming the stuck fibers, when nothing can ever run again.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="main"/> is null.</exception>
    /// <exception cref="DeadlockException">Main cannot finish.</exception>
    /// <exception cref="InvalidOperationException">The thread already runs a loop.</exception>
    public static void RunMock(Func<Env, ValueTask> main, FiberRunOptions? options = null) =>
        RunCore<Unit>(Lift(main), options, mock: true);

    /// <summary>Like <see cref="RunMock(Func{Env, ValueTask}, FiberRunOptions?)"/>, returning main's result.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="main"/> is null.</exception>
    /// <exception cref="DeadlockException">Main cannot finish.</exception>
    public static T RunMock<T>(Func<Env, ValueTask<T>> main, FiberRunOptions? options = null) =>
        RunCore(main ?? throw new ArgumentNullException(nameof(main)), options, mock: true);

    /// <summary>True when called from a fiber.</summary>
    public static bool IsInFiber => FiberContext.Running is not null;

    /// <summary>
    /// <c>await Fiber.Yield()</c> lets every other runnable fiber run once (Eio <c>Fiber.yield</c>); throws
    /// <see cref="CancelledException"/> after resuming if the fiber was cancelled.
    /// </summary>
    /// <exception cref="InvalidOperationException">Not called from a fiber.</exception>
    public static ValueTask Yield() => new(FiberContext.Require("Fiber.Yield"), 0);

    /// <summary>Throws <see cref="CancelledException"/> if the current fiber's context is cancelled (Eio <c>Fiber.check</c>).</summary>
    /// <exception cref="CancelledException">The fiber is cancelled.</exception>
    /// <exception cref="InvalidOperationException">Not called from a fiber.</exception>
    public static void Check() => FiberContext.Require("Fiber.Check").Check();

    /// <summary>Whether the current fiber's context is cancelled (Eio <c>Fiber.is_cancelled</c>).</summary>
    /// <exception cref="InvalidOperationException">Not called from a fiber.</exception>
    public static bool IsCancelled => FiberContext.Require("Fiber.IsCancelled").IsCancelled;

    /// <summary>Suspends until the fiber is cancelled, then throws <see cref="CancelledException"/> (Eio <c>Fiber.await_cancel</c>).</summary>
    /// <exception cref="CancelledException">Always, once cancelled.</exception>
    /// <exception cref="InvalidOperationException">Not called from a fiber.</exception>
    public static async ValueTask AwaitCancel()
    {
        var fiber = FiberContext.Require("Fiber.AwaitCancel");
        await FiberPromise.Create<Unit>("Fiber.AwaitCancel").Promise;
        fiber.Check();
    }

    /// <summary>
    /// Starts <paramref name="body"/> in a new fiber attached to <paramref name="sw"/> (Eio <c>Fiber.fork</c>). The child
    /// runs immediately, until it first suspends; then the caller continues. The child inherits the switch's cancellation
    /// context and the caller's fiber bindings. Its exception fails the switch. On a cancelled switch the child silently
    /// does not start.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidOperationException">The switch has finished ("Switch finished"), or not called from a fiber.</exception>
    public static void Fork(Switch sw, Func<ValueTask> body) => ForkCore(sw, body, daemon: false, "Fiber.Fork");

    /// <summary>
    /// Like <see cref="Fork"/>, but the switch does not wait for it: when only daemons remain, the switch cancels them
    /// and waits for them to exit (Eio <c>Fiber.fork_daemon</c>). Returning from <paramref name="body"/> stops the daemon.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidOperationException">The switch has finished.</exception>
    public static void ForkDaemon(Switch sw, Func<ValueTask> body) => ForkCore(sw, body, daemon: true, "Fiber.ForkDaemon");

    /// <summary>
    /// Forks <paramref name="body"/> onto <paramref name="sw"/> and returns a promise of its result (Eio
    /// <c>Fiber.fork_promise</c>): an exception rejects the promise instead of failing the switch.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidOperationException">The switch has finished.</exception>
    public static FiberPromise<T> ForkPromise<T>(Switch sw, Func<ValueTask<T>> body)
    {
        ArgumentNullException.ThrowIfNull(sw);
        ArgumentNullException.ThrowIfNull(body);
        var parent = FiberContext.Require("Fiber.ForkPromise");
        sw.CheckCanFork(parent);
        var (promise, resolver) = FiberPromise.Create<T>();
        if (sw.Context.IsCancelling)
        {
            resolver.Reject(new CancelledException(sw.Context.Reason!));
            return promise;
        }

        sw.AddFiber(daemon: false);
        var owner = new PromiseOwner<T>(sw, resolver);
        var child = new FiberContext(parent.Runtime, sw.Context, parent.Bindings, owner);
        child.Start(async () => owner.Result = await body().ConfigureAwait(true));
        return promise;
    }

    private static void ForkCore(Switch sw, Func<ValueTask> body, bool daemon, string operation)
    {
        ArgumentNullException.ThrowIfNull(sw);
        ArgumentNullException.ThrowIfNull(body);
        var parent = FiberContext.Require(operation);
        sw.CheckCanFork(parent);
        if (sw.Context.IsCancelling)
        {
            return;
        }

        sw.AddFiber(daemon);
        var child = new FiberContext(parent.Runtime, sw.Context, parent.Bindings, sw) { IsDaemon = daemon };
        child.Start(body);
    }

    private static Func<Env, ValueTask<Unit>> Lift(Func<Env, ValueTask> main)
    {
        ArgumentNullException.ThrowIfNull(main);
        return async env =>
        {
            await main(env).ConfigureAwait(true);
            return default;
        };
    }

    private static T RunCore<T>(Func<Env, ValueTask<T>> main, FiberRunOptions? options, bool mock)
    {
        if (EventLoop.Current is { } running)
        {
            throw new InvalidOperationException(
                $"Fiber.Run cannot be nested: this thread already runs event loop '{running.Name}'. Use Fiber.Fork or Switch.Run inside the running program.");
        }

        options ??= new FiberRunOptions();
        var trace = options.Trace ?? (static line => Console.Error.WriteLine("+" + line));
        var loop = new EventLoop(new EventLoopOptions
        {
            Name = options.Name ?? (mock ? "Fiber.RunMock" : "Fiber.Run"),
            VirtualTime = mock,
            Time = mock ? options.Clock : null,
            DeadlockDetection = mock ? DeadlockDetectionMode.Strict : null,
        });
        T result;
        try
        {
            result = RunOnLoop(loop, main, trace, new object(), null, 0, mock);
        }
        catch
        {
            // The run's own error is what the caller must see: work still queued is dropped, not reported in its place.
            loop.CloseAfterFailure();
            throw;
        }

        loop.Dispose();
        return result;
    }

    /// <summary>Runs a program's main fiber on <paramref name="loop"/> (also used by <see cref="DomainManager"/> for new threads).</summary>
    internal static T RunOnLoop<T>(EventLoop loop, Func<Env, ValueTask<T>> main, Action<string> trace, object traceGate, DomainManager? domains, int domainId, bool mock)
    {
        var runtime = new FiberRuntime(loop, trace, traceGate, domains, domainId);
        var previousRuntime = FiberRuntime.Current;
        FiberRuntime.Current = runtime;
        try
        {
            var env = new Env(loop, runtime.Domains);
            var root = new RootOwner();
            T result = default!;
            var fiber = new FiberContext(runtime, runtime.RootContext, FiberBindings.Empty, root);
            using var describer = loop.AddDeadlockDescriber(runtime.DescribeFibers);
            using var clockTrace = mock
                ? loop.AddVirtualTimeAdvancedHook(now => runtime.WriteTrace("mock time is now " + Trace.FormatSeconds(now.TotalSeconds)))
                : null;
            loop.Enqueue(_ => fiber.Start(async () => result = await main(env).ConfigureAwait(true)), null);
            loop.RunUntil(() => root.Finished && runtime.DetachedFibers == 0);
            loop.Drain(1_000_000);
            if (root.Error is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(root.Error);
            }

            return result;
        }
        finally
        {
            FiberRuntime.Current = previousRuntime;
        }
    }

    private sealed class PromiseOwner<T>(Switch sw, FiberResolver<T> resolver) : IFiberOwner
    {
        public T Result { get; set; } = default!;

        public void OnFiberFinished(FiberContext fiber, Exception? error)
        {
            if (error is null)
            {
                resolver.TryResolve(Result);
            }
            else
            {
                resolver.TryReject(error);
            }

            sw.RemoveFiber(daemon: false);
        }
    }
}
