using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Bridge.Runtimes;

namespace Bridge.Promises;

/// <summary>
/// What Bridge.Promise keeps per event loop: the async exception hook, the paused-promise list (Lwt's
/// <c>paused</c> sequence, woken by an enter-iteration hook), and the state of an active <see cref="Promise.Run{T}(Func{Promise{T}})"/>.
/// </summary>
internal sealed class PromiseLoopState
{
    private static readonly ConditionalWeakTable<EventLoop, PromiseLoopState> s_states = new();

    [ThreadStatic]
    private static PromiseLoopState? t_last;

    private List<Promise<Unit>> _paused = new();
    private List<Promise<Unit>> _pausedSpare = new();
    private IDisposable? _pauseHook;
    private List<Exception>? _pendingErrors;

    private PromiseLoopState(EventLoop loop)
    {
        Loop = loop;
    }

    internal EventLoop Loop { get; }

    internal Action<Exception>? Hook { get; set; }

    internal bool Running { get; set; }

    internal bool HasPendingErrors => _pendingErrors is { Count: > 0 };

    internal int PausedCount => _paused.Count;

    internal static PromiseLoopState For(EventLoop loop)
    {
        var last = t_last;
        if (last is not null && ReferenceEquals(last.Loop, loop))
        {
            return last;
        }

        var state = s_states.GetValue(loop, static l => new PromiseLoopState(l));
        t_last = state;
        return state;
    }

    internal static PromiseLoopState Ambient => For(Promise.AmbientLoop);

    /// <summary>Lwt <c>pause</c>: a cancelable promise fulfilled at the start of the next loop iteration.</summary>
    internal Promise<Unit> Pause()
    {
        var p = new Promise<Unit> { _cancelable = true };
        _paused.Add(p);
        _pauseHook ??= Loop.AddEnterIterationHook(WakePaused);
        if (_paused.Count == 1)
        {
            // Keep the loop iterating: paused promises are runnable work, not a reason to sleep or report a deadlock.
            if (Loop.IsOnLoopThread)
            {
                Loop.Enqueue(static _ => { }, null);
            }
            else
            {
                Loop.Post(static _ => { }, null);
            }
        }

        return p;
    }

    /// <summary>Lwt <c>wakeup_paused</c>: fulfils the promises paused before this call, in creation order.</summary>
    private void WakePaused()
    {
        if (_paused.Count == 0)
        {
            return;
        }

        var batch = _paused;
        _paused = _pausedSpare;
        _pausedSpare = batch;
        var rt = PromiseRuntime.Current;
        try
        {
            foreach (var p in batch)
            {
                p.TryFulfill(default, rt);
            }
        }
        finally
        {
            batch.Clear();
        }
    }

    /// <summary>Routes an exception from <c>on_*</c> callbacks, <c>Async</c> and friends (Lwt's <c>!async_exception_hook</c>).</summary>
    internal void Report(Exception e)
    {
        if (Hook is { } hook)
        {
            hook(e);
            return;
        }

        if (Running)
        {
            (_pendingErrors ??= new()).Add(e);
            return;
        }

        // No Promise.Run is active on this loop: surface through the loop itself (its unhandled-error path).
        var edi = ExceptionDispatchInfo.Capture(e);
        Loop.Post(static s => ((ExceptionDispatchInfo)s!).Throw(), edi);
    }

    internal void ThrowPendingErrors()
    {
        var errors = _pendingErrors;
        if (errors is not { Count: > 0 })
        {
            return;
        }

        _pendingErrors = null;
        if (errors.Count == 1)
        {
            ExceptionDispatchInfo.Throw(errors[0]);
        }

        throw new AggregateException("Several exceptions reached Promise.AsyncExceptionHook's default handler.", errors);
    }
}
