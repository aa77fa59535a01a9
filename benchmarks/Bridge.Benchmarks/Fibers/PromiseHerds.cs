using Bridge.Benchmarks.Baselines;
using Bridge.Fibers;
using Bridge.Runtimes;

namespace Bridge.Benchmarks.Fibers;

/// <summary>
/// Rounds of many waiters suspended on one promise, on one long-lived loop thread, so that suspending and resuming are
/// measured separately and in steady state (the loop's queues are already grown, as in a running application).
/// <see cref="Suspend"/> starts the waiters and returns once all wait; <see cref="ResumeAll"/> resolves the promise on
/// the loop and returns once every waiter has finished. Dispose to stop the thread.
/// </summary>
public interface IPromiseHerd : IDisposable
{
    /// <summary>Starts the waiters and returns when all of them are suspended (finishing a previous round first).</summary>
    void Suspend();

    /// <summary>Resolves the promise (on the loop) and returns when every waiter has finished; a no-op if none wait.</summary>
    void ResumeAll();
}

/// <summary><see cref="IPromiseHerd"/> of fibers awaiting one <see cref="FiberPromise{T}"/>, on a switch, under <c>Fiber.Run</c>.</summary>
public sealed class FiberPromiseHerd : IPromiseHerd
{
    private readonly int _fibers;
    private readonly Thread _thread;
    private readonly ManualResetEventSlim _signal = new();
    private readonly object _gate = new();
    private FiberResolver<bool>? _command; // true: go on; false: stop
    private bool _suspended;

    /// <summary>Starts the loop thread.</summary>
    public FiberPromiseHerd(int fibers)
    {
        _fibers = fibers;
        _thread = new Thread(Run) { IsBackground = true, Name = "fiber herd" };
        _thread.Start();
        _signal.Wait();
    }

    /// <inheritdoc />
    public void Suspend()
    {
        ResumeAll(); // a round still waiting is finished first
        Command(true);
        _suspended = true;
    }

    /// <inheritdoc />
    public void ResumeAll()
    {
        if (_suspended)
        {
            Command(true);
            _suspended = false;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        ResumeAll();
        Command(false);
        _thread.Join();
    }

    private void Command(bool go)
    {
        FiberResolver<bool> command;
        lock (_gate)
        {
            command = _command!;
        }

        _signal.Reset();
        command.Resolve(go); // wakes the loop's main fiber from this thread
        if (go)
        {
            _signal.Wait();
        }
    }

    private FiberPromise<bool> NextCommand()
    {
        var (promise, resolver) = FiberPromise.Create<bool>("herd command");
        lock (_gate)
        {
            _command = resolver;
        }

        return promise;
    }

    private void Run() => Fiber.Run(async _ =>
    {
        using var external = EventLoop.Current!.TrackExternalOperation(); // commands come from another thread
        var command = NextCommand();
        _signal.Set();
        while (await command)
        {
            var (promise, resolver) = FiberPromise.Create<int>("herd");
            await Switch.Run(async sw =>
            {
                for (int i = 0; i < _fibers; i++)
                {
                    Fiber.Fork(sw, async () => await promise);
                }

                var resume = NextCommand();
                _signal.Set(); // all suspended
                await resume;
                resolver.Resolve(1);
            });
            command = NextCommand();
            _signal.Set(); // all finished
        }
    });
}

/// <summary>Baseline <see cref="IPromiseHerd"/>: async Task methods awaiting one <see cref="TaskCompletionSource"/> on the AsyncEx-style context.</summary>
public sealed class TaskPromiseHerd : IPromiseHerd
{
    private readonly int _tasks;
    private readonly Thread _thread;
    private readonly ManualResetEventSlim _signal = new();
    private SynchronizationContext? _context;
    private TaskCompletionSource<bool>? _command;
    private bool _suspended;

    /// <summary>Starts the context thread.</summary>
    public TaskPromiseHerd(int tasks)
    {
        _tasks = tasks;
        _thread = new Thread(Run) { IsBackground = true, Name = "task herd" };
        _thread.Start();
        _signal.Wait();
    }

    /// <inheritdoc />
    public void Suspend()
    {
        ResumeAll(); // a round still waiting is finished first
        Command(true);
        _suspended = true;
    }

    /// <inheritdoc />
    public void ResumeAll()
    {
        if (_suspended)
        {
            Command(true);
            _suspended = false;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        ResumeAll();
        Command(false);
        _thread.Join();
    }

    private void Command(bool go)
    {
        _signal.Reset();
        if (go)
        {
            _context!.Post(static s => ((TaskCompletionSource<bool>)s!).SetResult(true), _command);
            _signal.Wait();
        }
        else
        {
            _context!.Post(static s => ((TaskCompletionSource<bool>)s!).SetResult(false), _command);
        }
    }

    private void Run() => BlockingCollectionContext.Run(async () =>
    {
        _context = SynchronizationContext.Current;
        _command = new TaskCompletionSource<bool>();
        _signal.Set();
        while (await _command.Task)
        {
            var source = new TaskCompletionSource();
            var countdown = new FiberWorkloads.Countdown(_tasks);
            for (int i = 0; i < _tasks; i++)
            {
                _ = Wait(source.Task, countdown);
            }

            _command = new TaskCompletionSource<bool>();
            _signal.Set(); // all suspended
            await _command.Task;
            source.SetResult();
            await countdown.Task;
            _command = new TaskCompletionSource<bool>();
            _signal.Set(); // all finished
        }
    });

    private static async Task Wait(Task task, FiberWorkloads.Countdown countdown)
    {
        await task;
        countdown.Signal();
    }
}
