using System.Runtime.CompilerServices;
using Bridge.Runtimes;

namespace Bridge.Tasks;

/// <summary>
/// The awaitable returned by <see cref="EventLoopTaskExtensions.SwitchTo"/>: resumes the awaiting method on the loop's
/// thread (vs-threading's <c>SwitchToMainThreadAsync</c>). Completes synchronously when already running on the loop.
/// </summary>
public readonly struct LoopSwitchAwaitable : ICriticalNotifyCompletion
{
    private readonly EventLoop _loop;

    internal LoopSwitchAwaitable(EventLoop loop)
    {
        _loop = loop;
    }

    /// <summary>Returns this awaitable (the pattern's awaiter).</summary>
    public LoopSwitchAwaitable GetAwaiter() => this;

    /// <summary>True when the caller already runs on the loop thread inside a run.</summary>
    public bool IsCompleted => _loop.IsOnLoopThread && _loop.IsRunning;

    /// <summary>Nothing to return; checks that the switch happened.</summary>
    /// <exception cref="InvalidOperationException">The loop was disposed, so the method could not move onto it.</exception>
    public void GetResult()
    {
        if (!_loop.IsOnLoopThread)
        {
            throw new InvalidOperationException(
                $"Could not switch to event loop '{_loop.Name}': it has been disposed, so nothing runs on its thread any more.");
        }
    }

    /// <summary>
    /// Posts the continuation to the loop, flowing the execution context. If the loop has been disposed, the
    /// continuation resumes on the thread pool instead and <see cref="GetResult"/> throws, so the failure reaches the
    /// awaiting method rather than the thread that awaited (where it would be unhandled).
    /// </summary>
    public void OnCompleted(Action continuation)
    {
        try
        {
            _loop.Post(static c => ((Action)c!)(), continuation);
        }
        catch (InvalidOperationException)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static c => c(), continuation, preferLocal: false);
        }
    }

    /// <summary>Posts the continuation to the loop (the async machinery restores its own execution context).</summary>
    public void UnsafeOnCompleted(Action continuation) => OnCompleted(continuation);
}
