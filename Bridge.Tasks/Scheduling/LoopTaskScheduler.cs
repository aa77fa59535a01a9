using Bridge.Runtimes;

namespace Bridge.Tasks;

/// <summary>
/// A drop-in <see cref="TaskScheduler"/> that runs every task on an <see cref="EventLoop"/>'s thread, one at a time
/// (AsyncContext's and <c>ConcurrentExclusiveSchedulerPair</c>'s exclusive scheduler, bound to a loop):
/// <c>Task.Factory.StartNew(f, ct, options, scheduler)</c>, <c>ContinueWith(..., scheduler)</c> and
/// <c>new TaskFactory(scheduler)</c> all run on the loop, in the order queued.
/// </summary>
public sealed class LoopTaskScheduler : TaskScheduler
{
    private readonly Action<object?> _execute;

    /// <summary>Creates a scheduler for <paramref name="loop"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="loop"/> is null.</exception>
    public LoopTaskScheduler(EventLoop loop)
    {
        ArgumentNullException.ThrowIfNull(loop);
        Loop = loop;
        _execute = Execute;
    }

    /// <summary>The loop that runs this scheduler's tasks.</summary>
    public EventLoop Loop { get; }

    /// <summary>Always 1: the loop runs one thing at a time.</summary>
    public override int MaximumConcurrencyLevel => 1;

    /// <summary>Posts the task to the loop (thread-safe): no lock and no bookkeeping beyond the loop's own queue.</summary>
    protected override void QueueTask(Task task) => Loop.Post(_execute, task);

    /// <summary>Inlines only on the loop thread while it runs; elsewhere the task must wait for the loop.</summary>
    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued)
    {
        if (!Loop.IsOnLoopThread || !Loop.IsRunning)
        {
            return false;
        }

        // A previously queued task keeps its queue entry; that entry later finds the task done and does nothing.
        return TryExecuteTask(task);
    }

    /// <summary>
    /// The tasks queued and not yet started, for the debugger's Tasks window: read from the loop's queues (so queueing
    /// costs nothing extra); meant for a stopped or idle loop, as the debugger sees it.
    /// </summary>
    protected override IEnumerable<Task> GetScheduledTasks()
    {
        var tasks = new List<Task>();
        foreach (var state in Loop.QueuedStates(_execute))
        {
            if (state is Task { IsCompleted: false } task)
            {
                tasks.Add(task);
            }
        }

        return tasks;
    }

    // False when the task was inlined or cancelled meanwhile: the stale queue entry is harmless.
    private void Execute(object? state) => TryExecuteTask((Task)state!);
}
