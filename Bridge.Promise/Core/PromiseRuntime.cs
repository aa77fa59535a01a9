using System.Runtime.CompilerServices;
using Bridge.Runtimes;

namespace Bridge.Promises;

/// <summary>
/// Per-thread promise machinery: Lwt's <c>current_callback_nesting_depth</c> and deferred-wakeup queue, the
/// stack-safety depth budget and its trampoline queue, and the current sequence-associated storage map.
/// </summary>
internal sealed class PromiseRuntime
{
    /// <summary>
    /// Nested synchronous calls (callback batches and immediate binds) allowed on one thread before further work is
    /// queued on the trampoline and run by the outermost call instead.
    /// </summary>
    internal const int DepthBudget = 384;

    [ThreadStatic]
    private static PromiseRuntime? t_current;

    private readonly Queue<Deferred> _later = new();
    private readonly Queue<Deferred> _trampoline = new();
    private bool _drainingTrampoline;

    /// <summary>Nested synchronous promise calls on this thread (the depth budget's counter).</summary>
    internal int StackDepth;

    /// <summary>Nested callback batches (Lwt's <c>current_callback_nesting_depth</c>; only <c>wakeup_later</c> consults it).</summary>
    internal int CallbackDepth;

    /// <summary>The current storage map (Lwt's <c>current_storage</c>).</summary>
    internal StorageMap? Storage;

    /// <summary>True on a thread-pool thread: resolving there without a loop is refused.</summary>
    internal readonly bool IsPoolThread = Thread.CurrentThread.IsThreadPoolThread;

    internal static PromiseRuntime Current
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => t_current ?? Create();
    }

    internal int PendingLater => _later.Count;

    internal int PendingTrampoline => _trampoline.Count;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static PromiseRuntime Create() => t_current = new PromiseRuntime();

    /// <summary>True when a nested synchronous call must go to the trampoline instead of growing the stack.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool MustTrampoline()
    {
        int depth = StackDepth;
        return depth >= DepthBudget || ((depth & 15) == 15 && !RuntimeHelpers.TryEnsureSufficientExecutionStack());
    }

    /// <summary>Throws when resolving here cannot be right: a thread-pool thread with no loop.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void CheckResolveThread(string operation)
    {
        if (IsPoolThread && EventLoop.Current is null)
        {
            ThrowWrongThread(operation);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowWrongThread(string operation) => throw new InvalidOperationException(
        $"{operation} was called on a thread-pool thread that runs no event loop. Promises belong to the loop thread: " +
        "deliver the result with Promise.RunInMain(...) (from Promise.Detach work) or EventLoop.Post(...).");

    internal void Defer(Deferred work) => _later.Enqueue(work);

    internal void Trampoline(Deferred work) => _trampoline.Enqueue(work);

    /// <summary>Starts a callback batch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void EnterBatch()
    {
        StackDepth++;
        CallbackDepth++;
    }

    /// <summary>Ends a callback batch; the outermost batch drains the deferred queues.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void ExitBatch()
    {
        StackDepth--;
        if (--CallbackDepth == 0 && _later.Count != 0)
        {
            DrainLater();
        }

        if (StackDepth == 0 && _trampoline.Count != 0)
        {
            DrainTrampoline();
        }
    }

    /// <summary>Ends an immediate (non-batch) nested call.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void ExitCall()
    {
        if (--StackDepth == 0 && _trampoline.Count != 0)
        {
            DrainTrampoline();
        }
    }

    /// <summary>Runs deferred callback lists at depth 1 (Lwt's outermost-batch drain of <c>wakeup_later</c>).</summary>
    private void DrainLater()
    {
        CallbackDepth = 1;
        StackDepth++;
        var saved = Storage;
        try
        {
            while (_later.TryDequeue(out var work))
            {
                work.RunCallbacksOnly();
            }
        }
        finally
        {
            Storage = saved;
            StackDepth--;
            CallbackDepth = 0;
        }
    }

    /// <summary>Runs trampolined work from the outermost call, each item as a fresh batch.</summary>
    internal void DrainTrampoline()
    {
        if (_drainingTrampoline)
        {
            return;
        }

        _drainingTrampoline = true;
        var saved = Storage;
        try
        {
            while (_trampoline.TryDequeue(out var work))
            {
                EnterBatch();
                try
                {
                    work.RunCallbacksOnly();
                }
                finally
                {
                    Storage = saved;
                    StackDepth--;
                    if (--CallbackDepth == 0 && _later.Count != 0)
                    {
                        DrainLater();
                    }
                }
            }
        }
        finally
        {
            _drainingTrampoline = false;
        }
    }
}
