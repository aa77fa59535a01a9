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

/// <summary>
/// The round driving shared by both herds: a dedicated thread runs the loop, <see cref="Command"/> tells it to go on
/// (true: suspend or resume, then wait until the loop signals) or to stop (false).
/// </summary>
public abstract class PromiseHerdBase : IPromiseHerd
{
    private Thread? _thread;
    private bool _suspended;

    /// <summary>Set by the loop when a round has reached the state the driver waits for.</summary>
    protected ManualResetEventSlim Signal { get; } = new();

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
        _thread!.Join();
    }

    /// <summary>Starts the loop thread and waits until it is ready for commands.</summary>
    protected void Start(string name)
    {
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
        Signal.Wait();
    }

    /// <summary>Sends one command to the loop; for "go on", returns once the loop has signalled.</summary>
    protected abstract void Command(bool go);

    /// <summary>The loop thread's body.</summary>
    protected abstract void Run();
}

/// <summary><see cref="IPromiseHerd"/> of fibers awaiting one <see cref="FiberPromise{T}"/>, on a switch, under <c>Fiber.Run</c>.</summary>
public sealed class FiberPromiseHerd : PromiseHerdBase
{
    private readonly int _fibers;
    private readonly object _gate = new();
    private FiberResolver<bool>? _command; // true: go on; false: stop

    /// <summary>Starts the loop thread.</summary>
    public FiberPromiseHerd(int fibers)
    {
        _fibers = fibers;
        Start("fiber herd");
    }

    /// <inheritdoc />
    protected override void Command(bool go)
    {
        FiberResolver<bool> command;
        lock (_gate)
        {
            command = _command!;
        }

        Signal.Reset();
        command.Resolve(go); // wakes the loop's main fiber from this thread
        if (go)
        {
            Signal.Wait();
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

    /// <inheritdoc />
    protected override void Run() => Fiber.Run(async _ =>
    {
        using var external = EventLoop.Current!.TrackExternalOperation(); // commands come from another thread
        var command = NextCommand();
        Signal.Set();
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
                Signal.Set(); // all suspended
                await resume;
                resolver.Resolve(1);
            });
            command = NextCommand();
            Signal.Set(); // all finished
        }
    });
}

/// <summary>Baseline <see cref="IPromiseHerd"/>: async Task methods awaiting one <see cref="TaskCompletionSource"/> on the AsyncEx-style context.</summary>
public sealed class TaskPromiseHerd : PromiseHerdBase
{
    private readonly int _tasks;
    private SynchronizationContext? _context;
    private TaskCompletionSource<bool>? _command;

    /// <summary>Starts the context thread.</summary>
    public TaskPromiseHerd(int tasks)
    {
        _tasks = tasks;
        Start("task herd");
    }

    /// <inheritdoc />
    protected override void Command(bool go)
    {
        Signal.Reset();
        if (go)
        {
            _context!.Post(static s => ((TaskCompletionSource<bool>)s!).SetResult(true), _command);
            Signal.Wait();
        }
        else
        {
            _context!.Post(static s => ((TaskCompletionSource<bool>)s!).SetResult(false), _command);
        }
    }

    /// <inheritdoc />
    protected override void Run() => BlockingCollectionContext.Run(async () =>
    {
        _context = SynchronizationContext.Current;
        _command = new TaskCompletionSource<bool>();
        Signal.Set();
        while (await _command.Task)
        {
            var source = new TaskCompletionSource();
            var countdown = new FiberWorkloads.Countdown(_tasks);
            for (int i = 0; i < _tasks; i++)
            {
                _ = Wait(source.Task, countdown);
            }

            _command = new TaskCompletionSource<bool>();
            Signal.Set(); // all suspended
            await _command.Task;
            source.SetResult();
            await countdown.Task;
            _command = new TaskCompletionSource<bool>();
            Signal.Set(); // all finished
        }
    });

    private static async Task Wait(Task task, FiberWorkloads.Countdown countdown)
    {
        await task;
        countdown.Signal();
    }
}
