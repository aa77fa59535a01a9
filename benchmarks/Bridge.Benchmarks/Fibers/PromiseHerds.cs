using Bridge.Benchmarks.Baselines;
using Bridge.Fibers;
using Bridge.Runtimes;

namespace Bridge.Benchmarks.Fibers;

/// <summary>
/// Many waiters suspended on one promise, kept alive on a dedicated loop thread so that suspending and resuming can be
/// measured separately: <see cref="Suspend"/> forks them and returns once all wait; <see cref="ResumeAll"/> resolves the
/// promise on the loop and returns once every waiter has resumed and finished.
/// </summary>
public interface IPromiseHerd
{
    /// <summary>Starts the waiters and returns when all of them are suspended.</summary>
    void Suspend();

    /// <summary>Resolves the promise (on the loop) and returns when every waiter has finished.</summary>
    void ResumeAll();
}

/// <summary><see cref="IPromiseHerd"/> of fibers awaiting one <see cref="FiberPromise{T}"/>, on a switch, under <c>Fiber.Run</c>.</summary>
public sealed class FiberPromiseHerd(int fibers) : IPromiseHerd
{
    private readonly ManualResetEventSlim _ready = new();
    private Thread? _thread;
    private EventLoop? _loop;
    private FiberResolver<int>? _resolver;
    private ExternalOperation? _pending;

    /// <inheritdoc />
    public void Suspend()
    {
        _thread = new Thread(() => Fiber.Run(async _ =>
        {
            _loop = EventLoop.Current!;
            _pending = _loop.TrackExternalOperation(); // the resolve comes from another thread: not a deadlock
            var (promise, resolver) = FiberPromise.Create<int>("herd");
            _resolver = resolver;
            await Switch.Run(sw =>
            {
                for (int i = 0; i < fibers; i++)
                {
                    Fiber.Fork(sw, async () => await promise);
                }

                _ready.Set();
                return ValueTask.CompletedTask;
            });
        }))
        { IsBackground = true, Name = "fiber herd" };
        _thread.Start();
        _ready.Wait();
    }

    /// <inheritdoc />
    public void ResumeAll()
    {
        _loop!.Post(
            static s =>
            {
                var herd = (FiberPromiseHerd)s!;
                herd._resolver!.Resolve(1);
                herd._pending!.Dispose();
            },
            this);
        _thread!.Join();
    }
}

/// <summary>Baseline <see cref="IPromiseHerd"/>: async Task methods awaiting one <see cref="TaskCompletionSource"/> on the AsyncEx-style context.</summary>
public sealed class TaskPromiseHerd(int tasks) : IPromiseHerd
{
    private readonly ManualResetEventSlim _ready = new();
    private Thread? _thread;
    private SynchronizationContext? _context;
    private TaskCompletionSource? _source;

    /// <inheritdoc />
    public void Suspend()
    {
        _thread = new Thread(() => BlockingCollectionContext.Run(async () =>
        {
            _context = SynchronizationContext.Current;
            _source = new TaskCompletionSource();
            var countdown = new FiberWorkloads.Countdown(tasks);
            for (int i = 0; i < tasks; i++)
            {
                _ = Wait(_source.Task, countdown);
            }

            _ready.Set();
            await countdown.Task;
        }))
        { IsBackground = true, Name = "task herd" };
        _thread.Start();
        _ready.Wait();
    }

    /// <inheritdoc />
    public void ResumeAll()
    {
        _context!.Post(static s => ((TaskCompletionSource)s!).SetResult(), _source);
        _thread!.Join();
    }

    private static async Task Wait(Task task, FiberWorkloads.Countdown countdown)
    {
        await task;
        countdown.Signal();
    }
}
