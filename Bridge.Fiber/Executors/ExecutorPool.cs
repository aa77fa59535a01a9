namespace Bridge.Fibers;

/// <summary>
/// A fixed set of worker domains that run submitted jobs (Eio's <c>Executor_pool</c>). Workers are daemon fibers on the
/// given switch, each running <see cref="DomainManager.Run{T}(Func{ValueTask{T}})"/>; a worker keeps taking jobs while
/// the summed weight of the jobs it runs is below 1.0 (so one more job may take it above 1.0), yielding after each take
/// so other workers get the next one. Jobs are handed over through a rendezvous stream: <see cref="Submit{T}"/> waits until
/// a worker accepts the job, then for its result. When the switch is released the pool closes: later submits throw,
/// and so do submits still waiting for a worker.
/// </summary>
public sealed class ExecutorPool
{
    private const long FullLoad = 1_000_000; // weights in integer micro-units, as Eio does

    private readonly FiberStream<Job> _jobs = new(0);
    private bool _closed;

    /// <summary>Starts <paramref name="domainCount"/> workers on <paramref name="sw"/> (Eio <c>Executor_pool.create</c>).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="sw"/> or <paramref name="domains"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="domainCount"/> is not positive.</exception>
    /// <exception cref="InvalidOperationException">The switch has finished, or not called from a fiber.</exception>
    public ExecutorPool(Switch sw, int domainCount, DomainManager domains)
    {
        ArgumentNullException.ThrowIfNull(sw);
        ArgumentNullException.ThrowIfNull(domains);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(domainCount);
        DomainCount = domainCount;
        sw.OnRelease(Close);
        for (int i = 0; i < domainCount; i++)
        {
            Fiber.ForkDaemon(sw, () => domains.Run(RunWorker));
        }
    }

    /// <summary>The number of worker domains.</summary>
    public int DomainCount { get; }

    /// <summary>
    /// Runs <paramref name="job"/> on a worker and returns its result, rethrowing its exception (Eio
    /// <c>Executor_pool.submit_exn</c>). Waits until a worker with spare capacity accepts the job.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="job"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="weight"/> is NaN or outside [0, 1].</exception>
    /// <exception cref="InvalidOperationException">The pool is closed ("Stream closed"), or not called from a fiber.</exception>
    /// <exception cref="CancelledException">Cancelled while waiting for a worker or for the result.</exception>
    public async ValueTask<T> Submit<T>(Func<ValueTask<T>> job, double weight)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (!(weight >= 0.0 && weight <= 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(weight), weight, $"Executor_pool: weight {weight} not >= 0.0 && <= 1.0");
        }

        if (Volatile.Read(ref _closed))
        {
            throw new InvalidOperationException("Stream closed");
        }

        var (result, resolver) = FiberPromise.Create<T>("ExecutorPool.Submit");
        await _jobs.Add(new Job((long)(weight * FullLoad), async () =>
        {
            try
            {
                resolver.TryResolve(await job().ConfigureAwait(true));
            }
            catch (Exception e)
            {
                resolver.TryReject(e);
            }
        }, e => resolver.TryReject(e)));
        return await result;
    }

    /// <summary>
    /// Submits <paramref name="job"/> from a new fiber on <paramref name="sw"/> and returns a promise of its result
    /// (Eio <c>Executor_pool.submit_fork</c>).
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="weight"/> is NaN or outside [0, 1].</exception>
    public FiberPromise<T> SubmitFork<T>(Switch sw, Func<ValueTask<T>> job, double weight)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (!(weight >= 0.0 && weight <= 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(weight), weight, $"Executor_pool: weight {weight} not >= 0.0 && <= 1.0");
        }

        return Fiber.ForkPromise(sw, () => Submit(job, weight));
    }

    /// <summary>
    /// Closes the job queue (Eio <c>Sync.close</c> on release): later submits throw, and submitters still waiting for a
    /// worker get the same error instead of waiting forever — the workers are gone by then.
    /// </summary>
    private void Close()
    {
        Volatile.Write(ref _closed, true);
        foreach (var job in _jobs.CloseAndDrain(new InvalidOperationException("Stream closed")))
        {
            job.Fail(new InvalidOperationException("Stream closed"));
        }
    }

    /// <summary>One worker: take jobs while below full load, run each in its own fiber, yield after each take.</summary>
    private async ValueTask RunWorker()
    {
        long load = 0;
        var finished = new FiberCondition();
        await Switch.Run(async sw =>
        {
            while (true)
            {
                while (load >= FullLoad)
                {
                    await finished.AwaitNoMutex();
                }

                var job = await _jobs.Take();
                if (sw.IsCancelled)
                {
                    job.Fail(new CancelledException(sw.Context.Reason!));
                    continue;
                }

                load += job.Weight;
                Fiber.Fork(sw, async () =>
                {
                    try
                    {
                        await job.Run().ConfigureAwait(true);
                    }
                    finally
                    {
                        load -= job.Weight;
                        finished.Broadcast();
                    }
                });
                await Fiber.Yield();
            }
        }, "executor worker").ConfigureAwait(true);
    }

    private sealed record Job(long Weight, Func<ValueTask> Run, Action<Exception> Fail);
}
