namespace Bridge.Runtimes;

/// <summary>
/// The <see cref="SynchronizationContext"/> of an <see cref="EventLoop"/>: <c>await</c> in code running on the loop
/// captures it and resumes on the loop thread. A subclass, because <c>await</c> ignores the base type
/// (AsyncContext's and WindowsFormsSynchronizationContext's design).
/// </summary>
public sealed class LoopSynchronizationContext : SynchronizationContext
{
    private int _outstandingOperations;

    internal LoopSynchronizationContext(EventLoop loop)
    {
        Loop = loop;
    }

    /// <summary>The loop this context posts to.</summary>
    public EventLoop Loop { get; }

    /// <summary>Number of <c>async void</c> methods (and other <see cref="OperationStarted"/> callers) not yet completed.</summary>
    public int OutstandingOperations => Volatile.Read(ref _outstandingOperations);

    /// <summary>
    /// Queues <paramref name="d"/> on the loop, from any thread, under the caller's <see cref="ExecutionContext"/>.
    /// Never runs it inline. Note that the runtime does not call <c>Post</c> at all when a task completes on the loop
    /// thread with this context current: it runs the awaiting continuation inline, as <c>Lwt.wakeup</c> does. A
    /// <see cref="TaskCompletionSource"/> created with <see cref="TaskCreationOptions.RunContinuationsAsynchronously"/>
    /// sends its continuations through here, to the run queue, as Eio's <c>Promise.resolve</c> does.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="d"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The loop has been disposed.</exception>
    public override void Post(SendOrPostCallback d, object? state)
    {
        ArgumentNullException.ThrowIfNull(d);
        if (Loop.IsOnLoopThread && Loop.IsRunning)
        {
            // Same thread: no lock, no execution-context capture needed beyond what await itself restores.
            Loop.EnqueueSendOrPost(d, state, ExecutionContext.Capture());
        }
        else
        {
            Loop.PostItem(new WorkItem(d, state, ExecutionContext.Capture()));
        }
    }

    /// <summary>
    /// Runs <paramref name="d"/> on the loop and waits for it: inline when already on the loop thread; otherwise posts
    /// it and blocks the caller until the loop has run it, rethrowing its exception.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="d"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The loop has been disposed before it could run the callback (also while the caller waits).</exception>
    public override void Send(SendOrPostCallback d, object? state)
    {
        ArgumentNullException.ThrowIfNull(d);
        if (Loop.IsOnLoopThread)
        {
            d(state);
            return;
        }

        var call = new SendCall(d, state);
        Loop.Post(static c => ((SendCall)c!).Run(), call);
        call.Wait(Loop);
    }

    /// <summary>Counts an <c>async void</c> method start; <c>TaskLoop.Run</c> waits for the count to return to zero.</summary>
    public override void OperationStarted() => Interlocked.Increment(ref _outstandingOperations);

    /// <summary>Counts an <c>async void</c> method end and wakes the loop so its runner can notice.</summary>
    public override void OperationCompleted()
    {
        Interlocked.Decrement(ref _outstandingOperations);
        Loop.Wake();
    }

    /// <summary>Returns this instance: a copy would be bound to the same loop, and identity keeps the runtime's inline check meaningful.</summary>
    public override SynchronizationContext CreateCopy() => this;

    private sealed class SendCall(SendOrPostCallback callback, object? state)
    {
        private readonly ManualResetEventSlim _done = new();
        private Exception? _error;

        public void Run()
        {
            try
            {
                callback(state);
            }
            catch (Exception e)
            {
                _error = e;
            }
            finally
            {
                _done.Set();
            }
        }

        public void Wait(EventLoop loop)
        {
            try
            {
                _done.Wait(loop.ClosedToken);
            }
            catch (OperationCanceledException)
            {
                if (!_done.IsSet)
                {
                    throw new InvalidOperationException(
                        $"Event loop '{loop.Name}' was disposed before it ran the callback passed to Send; it will never run.");
                }
            }

            _done.Dispose();
            if (_error is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(_error);
            }
        }
    }
}
