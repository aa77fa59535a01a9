using Bridge.Runtimes;

namespace Bridge.Fibers;

/// <summary>
/// Runs functions on other threads, each with its own Bridge loop (Eio <c>Domain_manager</c>). Under
/// <see cref="Fiber.RunMock(Func{Env, ValueTask}, FiberRunOptions?)"/> it is Eio_mock's domain manager instead: the
/// "domain" runs in the calling fiber, on the same loop, so tests stay deterministic.
/// </summary>
public sealed class DomainManager
{
    private readonly Action<string> _trace;
    private readonly object _traceGate;
    private int _nextDomainId;

    internal DomainManager(Action<string> trace, object traceGate)
    {
        _trace = trace;
        _traceGate = traceGate;
    }

    /// <summary>
    /// Runs <paramref name="body"/> in a new domain and returns its result (Eio <c>Domain_manager.run</c>). Cancelling the
    /// calling fiber cancels the domain's fibers; the call still returns only once the domain has finished. Fiber bindings
    /// are not carried over.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    /// <exception cref="InvalidOperationException">Not called from a fiber.</exception>
    public async ValueTask<T> Run<T>(Func<ValueTask<T>> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var fiber = FiberContext.Require("DomainManager.Run");
        if (fiber.Loop.IsVirtualTime)
        {
            var saved = fiber.Bindings;
            fiber.Bindings = FiberBindings.Empty;
            try
            {
                return await body().ConfigureAwait(true);
            }
            finally
            {
                fiber.Bindings = saved;
            }
        }

        return await RunOnThread(fiber, body).ConfigureAwait(true);
    }

    /// <summary>Runs <paramref name="body"/> in a new domain; see <see cref="Run{T}(Func{ValueTask{T}})"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    public async ValueTask Run(Func<ValueTask> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        await Run<Unit>(async () =>
        {
            await body().ConfigureAwait(true);
            return default;
        }).ConfigureAwait(true);
    }

    private async ValueTask<T> RunOnThread<T>(FiberContext caller, Func<ValueTask<T>> body)
    {
        var (promise, resolver) = FiberPromise.Create<T>("DomainManager.Run");
        var domain = new DomainHandle();
        int id = Interlocked.Increment(ref _nextDomainId);
        using var pending = caller.Loop.TrackExternalOperation();
        var thread = new Thread(() =>
        {
            var loop = new EventLoop(new EventLoopOptions { Name = $"domain {id}" });
            try
            {
                domain.Attach(loop);
                T value;
                try
                {
                    value = Fiber.RunOnLoop(loop, _ => body(), _trace, _traceGate, this, id, mock: false);
                }
                finally
                {
                    domain.Detach(); // from here on a cancelling caller posts nothing: the loop is about to close
                }

                loop.Drain(16); // a cancellation posted as the run ended finds nothing left to cancel
                loop.Dispose();
                resolver.TryResolve(value);
            }
            catch (Exception e)
            {
                loop.CloseAfterFailure();
                resolver.TryReject(e);
            }
        })
        { IsBackground = true, Name = $"Bridge domain {id}" };
        thread.Start();
        try
        {
            return await promise;
        }
        catch (CancelledException e) when (caller.IsCancelled && !promise.IsResolved)
        {
            domain.Cancel(e.Reason);
            await Cancel.Protect(async () =>
            {
                try
                {
                    await promise;
                }
                catch (Exception)
                {
                    // The caller reports its own cancellation below.
                }
            }).ConfigureAwait(true);
            throw;
        }
    }

    /// <summary>Lets the caller cancel a domain's fibers from its own thread.</summary>
    private sealed class DomainHandle
    {
        private readonly object _gate = new();
        private EventLoop? _loop;
        private Exception? _cancelReason;

        public void Attach(EventLoop loop)
        {
            lock (_gate)
            {
                _loop = loop;
                if (_cancelReason is { } reason)
                {
                    loop.Post(static r => FiberRuntime.Current?.RootContext.Cancel((Exception)r!), reason);
                }
            }
        }

        public void Detach()
        {
            lock (_gate)
            {
                _loop = null;
            }
        }

        public void Cancel(Exception reason)
        {
            lock (_gate)
            {
                _cancelReason = reason;
                _loop?.Post(static r => FiberRuntime.Current?.RootContext.Cancel((Exception)r!), reason);
            }
        }
    }
}
