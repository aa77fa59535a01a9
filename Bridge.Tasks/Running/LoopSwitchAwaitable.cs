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

    /// <summary>Nothing to return.</summary>
    public void GetResult()
    {
    }

    /// <summary>Posts the continuation to the loop, flowing the execution context.</summary>
    public void OnCompleted(Action continuation) => _loop.Post(static c => ((Action)c!)(), continuation);

    /// <summary>Posts the continuation to the loop (the async machinery restores its own execution context).</summary>
    public void UnsafeOnCompleted(Action continuation) => OnCompleted(continuation);
}
