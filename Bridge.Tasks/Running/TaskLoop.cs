using Bridge.Runtimes;

namespace Bridge.Tasks;

/// <summary>
/// Runs ordinary Task code on a Bridge <see cref="EventLoop"/>: <see cref="Run(Func{Task}, EventLoopOptions?)"/> is
/// Nito.AsyncEx's <c>AsyncContext.Run</c> (the calling thread becomes the loop) and <see cref="Join(Task)"/> is
/// vs-threading's <c>JoinableTaskFactory.Run</c> (block until done — on the loop thread by pumping the loop, so it
/// cannot deadlock, and with <see cref="DeadlockException"/> when the work can provably never finish).
/// </summary>
public static class TaskLoop
{
    /// <summary>How many already-queued items a run still executes after its main work is done.</summary>
    private const int DrainBudget = 1_000_000;

    /// <summary>
    /// Runs <paramref name="main"/> on a new loop on the calling thread and returns when it <em>and</em> every
    /// <c>async void</c> method it started have completed (<c>AsyncContext.Run</c>). Inside, <c>await</c> resumes on
    /// the loop and <see cref="EventLoop.Current"/> is set. <see cref="TaskScheduler.Current"/> is the loop's scheduler
    /// only until <paramref name="main"/>'s first <c>await</c>: continuations run as plain loop items (no Task per
    /// resumption), so afterwards it is <see cref="TaskScheduler.Default"/>, as on a UI thread. To start work on the
    /// loop from there, pass <c>TaskScheduler.FromCurrentSynchronizationContext()</c> or a <see cref="LoopTaskScheduler"/>.
    /// A failure of <paramref name="main"/> surfaces at once, without waiting for background work; an exception from an
    /// <c>async void</c> method surfaces from here too.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="main"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The thread already runs a loop (nested Run; use <see cref="Join(Task)"/>).</exception>
    /// <exception cref="DeadlockException">The work can provably never finish.</exception>
    public static void Run(Func<Task> main, EventLoopOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(main);
        RunCore<Unit>(async () =>
        {
            await main().ConfigureAwait(true);
            return default;
        }, options);
    }

    /// <summary>Runs <paramref name="main"/> like <see cref="Run(Func{Task}, EventLoopOptions?)"/> and returns its result.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="main"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The thread already runs a loop.</exception>
    /// <exception cref="DeadlockException">The work can provably never finish.</exception>
    public static T Run<T>(Func<Task<T>> main, EventLoopOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(main);
        return RunCore(main, options);
    }

    /// <summary>
    /// Runs the synchronous <paramref name="main"/> on a new loop (so it may start <c>async void</c> work or post to
    /// <see cref="SynchronizationContext.Current"/>) and returns when all that work has completed.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="main"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The thread already runs a loop.</exception>
    public static void Run(Action main, EventLoopOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(main);
        RunCore<Unit>(() =>
        {
            main();
            return Task.FromResult(Unit.Value);
        }, options);
    }

    /// <summary>
    /// Waits for <paramref name="task"/> (<c>JoinableTaskFactory.Run</c>). Off a loop thread this is a plain blocking
    /// wait. On a loop thread it pumps the loop until the task completes instead of deadlocking, and throws
    /// <see cref="DeadlockException"/> (naming the task) when nothing can ever complete it. Exceptions are rethrown unwrapped.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="task"/> is null.</exception>
    /// <exception cref="DeadlockException">The task can provably never complete.</exception>
    public static void Join(Task task)
    {
        ArgumentNullException.ThrowIfNull(task);
        Pump(task);
        task.GetAwaiter().GetResult();
    }

    /// <summary>Waits for <paramref name="task"/> like <see cref="Join(Task)"/> and returns its result.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="task"/> is null.</exception>
    /// <exception cref="DeadlockException">The task can provably never complete.</exception>
    public static T Join<T>(Task<T> task)
    {
        ArgumentNullException.ThrowIfNull(task);
        Pump(task);
        return task.GetAwaiter().GetResult();
    }

    private static void Pump(Task task)
    {
        var loop = EventLoop.Current;
        if (task.IsCompleted || loop is null || !loop.IsOnLoopThread)
        {
            return;
        }

        using var describer = loop.AddDeadlockDescriber(() => [$"TaskLoop.Join is waiting for task #{task.Id} ({task.Status})"]);
        WakeWhenCompleted(loop, task);
        loop.RunUntil(() => task.IsCompleted);
    }

    /// <summary>
    /// A task completed off the loop (thread pool, <c>ConfigureAwait(false)</c>) posts nothing to it: wake the loop so
    /// that an idle <see cref="EventLoop.RunUntil"/> sees the completion at once.
    /// </summary>
    private static void WakeWhenCompleted(EventLoop loop, Task task)
        => task.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(loop.Wake);

    private static T RunCore<T>(Func<Task<T>> main, EventLoopOptions? options)
    {
        if (EventLoop.Current is { } running)
        {
            throw new InvalidOperationException(
                $"TaskLoop.Run cannot be nested: this thread already runs event loop '{running.Name}'. Use TaskLoop.Join to wait for a task on the running loop.");
        }

        var loop = new EventLoop(options ?? new EventLoopOptions { Name = "TaskLoop.Run" });
        Task<T> task;
        try
        {
            var context = loop.SynchronizationContext;
            var scheduler = new LoopTaskScheduler(loop);
            task = Task.Factory.StartNew(main, CancellationToken.None, TaskCreationOptions.DenyChildAttach, scheduler).Unwrap();
            WakeWhenCompleted(loop, task);
            using (loop.AddDeadlockDescriber(() => Describe(task, context)))
            {
                // A failed main surfaces at once; a successful one also waits for the async void work it started, and
                // for what is still queued (which may start more async void work).
                Func<bool> done = () => task.IsFaulted || task.IsCanceled || (task.IsCompleted && context.OutstandingOperations == 0);
                loop.RunUntil(done);
                while (task.IsCompletedSuccessfully)
                {
                    // Not drained within the budget: something re-queues itself forever; Dispose reports it below.
                    if (!loop.Drain(DrainBudget) || context.OutstandingOperations == 0)
                    {
                        break;
                    }

                    loop.RunUntil(done);
                }
            }
        }
        catch
        {
            // The loop's own failure (an async void exception, a deadlock) is the one to report, not the leftovers.
            loop.CloseAfterFailure();
            throw;
        }

        if (!task.IsCompletedSuccessfully)
        {
            // Main failed: its exception surfaces now, without waiting for (or being hidden by) background work.
            loop.CloseAfterFailure();
            return task.GetAwaiter().GetResult();
        }

        loop.Dispose();
        return task.Result;
    }

    private static IEnumerable<string> Describe(Task task, LoopSynchronizationContext context)
    {
        if (!task.IsCompleted)
        {
            yield return $"the main task of TaskLoop.Run (task #{task.Id}, {task.Status}) awaits something that nothing queued, no timer and no tracked operation will complete (a TaskCompletionSource nobody resolves?)";
        }

        if (context.OutstandingOperations > 0)
        {
            yield return $"{context.OutstandingOperations} async void method(s) have not completed";
        }
    }
}
