using Bridge.Runtimes;

namespace Bridge.Tasks;

/// <summary>
/// A dedicated thread running an <see cref="EventLoop"/> (Nito.AsyncEx's <c>AsyncContextThread</c>): hand it work with
/// <see cref="Run(Func{Task})"/>, <see cref="Factory"/> or <see cref="Loop"/>'s <c>Post</c>; disposal lets queued work
/// finish and joins the thread.
/// </summary>
public sealed class LoopThread : IDisposable, IAsyncDisposable
{
    private readonly Thread _thread;
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _keepingAlive = 1;
    private volatile bool _stopping;

    /// <summary>Starts the thread and its loop.</summary>
    public LoopThread(EventLoopOptions? options = null)
    {
        Loop = new EventLoop(options ?? new EventLoopOptions { Name = "LoopThread" });
        Scheduler = new LoopTaskScheduler(Loop);
        Factory = new TaskFactory(CancellationToken.None, TaskCreationOptions.DenyChildAttach, TaskContinuationOptions.None, Scheduler);

        // The loop waits for work posted from outside for as long as this object lives: that is not a deadlock.
        // Not an external operation: that would also hold virtual time still while the thread waits for work.
        Loop.AddKeepAlive();
        _thread = new Thread(Main) { IsBackground = true, Name = Loop.Name };
        _thread.Start();
    }

    /// <summary>The loop the thread runs.</summary>
    public EventLoop Loop { get; }

    /// <summary>A scheduler that runs tasks on the thread.</summary>
    public LoopTaskScheduler Scheduler { get; }

    /// <summary>A factory whose tasks run on the thread (AsyncContextThread.Factory).</summary>
    public TaskFactory Factory { get; }

    /// <summary>
    /// Runs <paramref name="action"/> on the thread. The returned task completes when it does; its continuations run on
    /// the caller's side, not on the loop.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="action"/> is null.</exception>
    public Task Run(Func<Task> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return Detach(Factory.StartNew(action).Unwrap());
    }

    /// <summary>Runs <paramref name="action"/> on the thread and returns its result (see <see cref="Run(Func{Task})"/>).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="action"/> is null.</exception>
    public Task<T> Run<T>(Func<Task<T>> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return Detach(Factory.StartNew(action).Unwrap());
    }

    /// <summary>
    /// Runs the synchronous <paramref name="func"/> on the thread and returns its result (AsyncContextThread's
    /// <c>Factory.Run</c>, in <c>Task.Run</c>'s shape).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="func"/> is null.</exception>
    public Task<T> Run<T>(Func<T> func)
    {
        ArgumentNullException.ThrowIfNull(func);
        return Detach(Factory.StartNew(func));
    }

    /// <summary>Runs the synchronous <paramref name="action"/> on the thread.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="action"/> is null.</exception>
    public Task Run(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return Detach(Factory.StartNew(action));
    }

    /// <summary>
    /// Lets queued work and <c>async void</c> methods finish, stops the loop and joins the thread. Exceptions that work
    /// items threw on the loop (not those captured in tasks returned by <see cref="Run(Func{Task})"/>) surface here.
    /// </summary>
    /// <exception cref="InvalidOperationException">Called on the loop thread itself (it would wait for itself).</exception>
    /// <exception cref="AggregateException">Several work items threw; a single exception is rethrown as is.</exception>
    /// <exception cref="DeadlockException">An <c>async void</c> method can never finish, so the loop could not drain.</exception>
    public void Dispose()
    {
        RequestStop();
        _thread.Join();
        _exited.Task.GetAwaiter().GetResult();
    }

    /// <summary>Like <see cref="Dispose"/>, without blocking the caller (AsyncContextThread.JoinAsync).</summary>
    public async ValueTask DisposeAsync()
    {
        RequestStop();
        await _exited.Task.ConfigureAwait(false);
    }

    private void RequestStop()
    {
        if (Loop.IsOnLoopThread && Loop.IsRunning)
        {
            throw new InvalidOperationException("A LoopThread cannot be disposed from its own thread: it would wait for itself.");
        }

        _stopping = true;
        if (Interlocked.Exchange(ref _keepingAlive, 0) == 1)
        {
            Loop.RemoveKeepAlive(); // also wakes the loop
        }
    }

    private void Main()
    {
        // An exception from a raw post or an async void method must not end the thread (later work would be lost):
        // the loop keeps running and the exceptions surface from Dispose.
        var errors = new List<Exception>();
        while (true)
        {
            try
            {
                Loop.RunUntil(() => _stopping && !Loop.HasQueuedWork && Loop.SynchronizationContext.OutstandingOperations == 0);
                break;
            }
            catch (DeadlockException e)
            {
                errors.Add(e); // only possible once stopping: async void work that can never finish
                break;
            }
            catch (Exception e)
            {
                errors.Add(e);
            }
        }

        try
        {
            Loop.Dispose();
        }
        catch (Exception e)
        {
            errors.Add(e);
        }

        if (errors.Count == 0)
        {
            _exited.TrySetResult();
        }
        else
        {
            _exited.TrySetException(errors.Count == 1 ? errors[0] : new AggregateException(errors));
        }
    }

    private static async Task<T> Detach<T>(Task<T> task) => await task.ConfigureAwait(false);

    private static async Task Detach(Task task) => await task.ConfigureAwait(false);
}
