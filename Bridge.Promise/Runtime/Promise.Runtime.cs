using System.Runtime.ExceptionServices;
using Bridge.Runtimes;

namespace Bridge.Promises;

public static partial class Promise
{
    [ThreadStatic]
    private static EventLoop? t_detachLoop;

    /// <summary>
    /// A cancelable promise fulfilled at the start of the next loop iteration; promises paused during the same
    /// iteration are fulfilled in creation order, and pauses made while they run wait for the iteration after (Lwt
    /// <c>Lwt.pause</c>). Canceling one removes it from the queue.
    /// </summary>
    public static Promise<Unit> Pause() => PromiseLoopState.Ambient.Pause();

    /// <summary>
    /// A cancelable promise fulfilled after <paramref name="delay"/> on the loop's clock (Lwt <c>Lwt_unix.sleep</c>);
    /// canceling it stops the timer. A timer never fires in the iteration that created it.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delay"/> is negative.</exception>
    public static Promise<Unit> Sleep(TimeSpan delay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        var p = new SleepPromise();
        p.Timer = AmbientLoop.StartTimer(delay, SleepPromise.Fire, p);
        return p;
    }

    /// <summary>
    /// A promise rejected with <see cref="TimeoutException"/> after <paramref name="delay"/> (Lwt <c>Lwt_unix.timeout</c>);
    /// canceling it stops the timer.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delay"/> is negative.</exception>
    public static Promise<T> Timeout<T>(TimeSpan delay) =>
        Sleep(delay).Bind(static _ => new Promise<T>(new TimeoutException("The operation timed out (Lwt_unix.Timeout).")));

    /// <summary>
    /// Runs <paramref name="f"/> and races it against <see cref="Timeout{T}"/> with <see cref="Pick{T}(Promise{T}[])"/>
    /// (Lwt <c>Lwt_unix.with_timeout</c>): if <paramref name="f"/>'s promise wins the timer is canceled; if the timer wins,
    /// <paramref name="f"/>'s promise is canceled and the result is rejected with <see cref="TimeoutException"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delay"/> is negative.</exception>
    public static Promise<T> WithTimeout<T>(TimeSpan delay, Func<Promise<T>> f)
    {
        ArgumentNullException.ThrowIfNull(f);
        return Pick(Timeout<T>(delay), Apply(f));
    }

    /// <summary>
    /// Runs the loop until the promise returned by <paramref name="f"/> is resolved, then returns its value or throws
    /// its exception (Lwt <c>Lwt_main.run</c>). Uses this thread's default loop (real time), created on first use and
    /// kept for the thread: paused promises, timers and other pending work carry over to the next <c>Run</c> on the
    /// thread, as in Lwt. <paramref name="f"/> runs on the loop.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> is null.</exception>
    /// <exception cref="InvalidOperationException">Called while a loop runs on this thread ("nested calls to Promise.Run are not allowed").</exception>
    /// <exception cref="DeadlockException">The promise can never resolve: nothing is queued, no timer or external operation is pending.</exception>
    public static T Run<T>(Func<Promise<T>> f) => Run(DefaultLoop, f);

    /// <summary>Runs this thread's default loop until <paramref name="promise"/> is resolved (Lwt <c>Lwt_main.run p</c>).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="promise"/> is null.</exception>
    /// <exception cref="InvalidOperationException">Called while a loop runs on this thread.</exception>
    /// <exception cref="DeadlockException">The promise can never resolve.</exception>
    public static T Run<T>(Promise<T> promise) => Run(DefaultLoop, promise);

    /// <summary>
    /// <see cref="Run{T}(Func{Promise{T}})"/> on a given loop (for instance one with
    /// <see cref="EventLoopOptions.VirtualTime"/>, so sleeps take no real time).
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidOperationException">Called while a loop runs on this thread.</exception>
    /// <exception cref="DeadlockException">The promise can never resolve.</exception>
    public static T Run<T>(EventLoop loop, Func<Promise<T>> f)
    {
        ArgumentNullException.ThrowIfNull(loop);
        ArgumentNullException.ThrowIfNull(f);
        var box = new Promise<T>[1];
        return RunCore(loop, box, () => box[0] = Apply(f));
    }

    /// <summary><see cref="Run{T}(Promise{T})"/> on a given loop.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidOperationException">Called while a loop runs on this thread.</exception>
    /// <exception cref="DeadlockException">The promise can never resolve.</exception>
    public static T Run<T>(EventLoop loop, Promise<T> promise)
    {
        ArgumentNullException.ThrowIfNull(loop);
        ArgumentNullException.ThrowIfNull(promise);
        return RunCore(loop, [promise], null);
    }

    private static T RunCore<T>(EventLoop loop, Promise<T>[] box, Action? start)
    {
        var state = PromiseLoopState.For(loop);
        if (state.Running || EventLoop.Current is not null)
        {
            throw new InvalidOperationException(
                "Nested calls to Promise.Run are not allowed (Lwt_main.run): a loop is already running on this thread. " +
                "Chain the work with Bind or await instead of running a loop inside it.");
        }

        state.Running = true;
        try
        {
            if (start is not null)
            {
                loop.Post(static s => ((Action)s!)(), start);
            }

            loop.RunUntil(() => state.HasPendingErrors || (box[0] is { } p && p.Underlying()._state != Promise<T>.StatePending));
            state.ThrowPendingErrors();
            var result = box[0].Underlying();
            if (result._state == Promise<T>.StateRejected)
            {
                ExceptionDispatchInfo.Throw((Exception)result._ref!);
            }

            return result._value;
        }
        finally
        {
            state.Running = false;
        }
    }

    /// <summary>
    /// Runs <paramref name="f"/> on the thread pool and returns a promise of its result, delivered back on the loop
    /// (Lwt <c>Lwt_preemptive.detach</c>). The loop tracks the job as an external operation, so it waits for it instead
    /// of reporting a deadlock. The promise is not cancelable. Inside <paramref name="f"/>,
    /// <see cref="RunInMain{T}(Func{Promise{T}})"/> runs work back on this loop. If the loop is disposed before the job
    /// ends, the job's result has nowhere to go and is dropped.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> is null.</exception>
    public static Promise<T> Detach<T>(Func<T> f)
    {
        ArgumentNullException.ThrowIfNull(f);
        var loop = AmbientLoop;
        var (promise, resolver) = Create<T>();
        var operation = loop.TrackExternalOperation();
        ThreadPool.UnsafeQueueUserWorkItem(
            _ =>
            {
                T value = default!;
                Exception? error = null;
                t_detachLoop = loop;
                try
                {
                    value = f();
                }
                catch (Exception e)
                {
                    error = e;
                }
                finally
                {
                    t_detachLoop = null;
                }

                try
                {
                    // False when the loop was disposed while the job ran: nothing is left to receive the result, and
                    // throwing here, on a pool thread, would end the process.
                    _ = loop.TryPost(
                        _ =>
                        {
                            if (error is null)
                            {
                                resolver.Resolve(value);
                            }
                            else
                            {
                                resolver.Reject(error);
                            }
                        },
                        null);
                }
                finally
                {
                    operation.Dispose();
                }
            },
            null);
        return promise;
    }

    /// <summary>Runs <paramref name="f"/> on the thread pool for its effects (Lwt <c>Lwt_preemptive.detach</c> of a unit function).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> is null.</exception>
    public static Promise<Unit> Detach(Action f)
    {
        ArgumentNullException.ThrowIfNull(f);
        return Detach<Unit>(() =>
        {
            f();
            return default;
        });
    }

    /// <summary>
    /// From a <see cref="Detach{T}(Func{T})"/> job, runs <paramref name="f"/> on the loop that started the job, blocks this
    /// worker thread until its promise resolves, and returns the value or throws the exception (Lwt
    /// <c>Lwt_preemptive.run_in_main</c>).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> is null.</exception>
    /// <exception cref="InvalidOperationException">Not inside a <c>Detach</c> job (use the overload taking a loop), or called on the loop thread, where waiting would deadlock.</exception>
    public static T RunInMain<T>(Func<Promise<T>> f)
    {
        ArgumentNullException.ThrowIfNull(f);
        var loop = t_detachLoop ?? EventLoop.Current
            ?? throw new InvalidOperationException(
                "Promise.RunInMain without a loop argument must be called from Promise.Detach work; pass the target EventLoop otherwise.");
        return RunInMain(loop, f);
    }

    /// <summary>
    /// Runs <paramref name="f"/> on <paramref name="loop"/> from another thread (thread-safe), blocks until its promise
    /// resolves, and returns the value or throws the exception (Lwt <c>Lwt_preemptive.run_in_main</c>). Blocks forever if
    /// the loop never runs again, as in Lwt.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidOperationException">Called on the loop's own thread, where waiting would deadlock; or the loop was disposed before <paramref name="f"/>'s promise resolved.</exception>
    public static T RunInMain<T>(EventLoop loop, Func<Promise<T>> f)
    {
        ArgumentNullException.ThrowIfNull(loop);
        ArgumentNullException.ThrowIfNull(f);
        if (loop.IsOnLoopThread && (EventLoop.Current is not null || loop.IsRunning))
        {
            throw new InvalidOperationException(
                "Promise.RunInMain was called on the loop thread itself; waiting there would deadlock. Call f directly (or Bind on it) instead.");
        }

        using var done = new ManualResetEventSlim();
        T value = default!;
        Exception? error = null;
        loop.Post(
            _ => Apply(f).OnAnyInternal(
                v =>
                {
                    value = v;
                    done.Set();
                },
                e =>
                {
                    error = e;
                    done.Set();
                }),
            null);
        try
        {
            done.Wait(loop.ClosedToken);
        }
        catch (OperationCanceledException) when (!done.IsSet)
        {
            throw new InvalidOperationException(
                $"Event loop '{loop.Name}' was disposed before the Promise.RunInMain work finished.");
        }

        if (error is not null)
        {
            ExceptionDispatchInfo.Throw(error);
        }

        return value;
    }
}
