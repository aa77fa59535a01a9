using Bridge.Runtimes;

namespace Bridge.Promises;

/// <summary>A <see cref="Promise.Sleep"/> promise: a task fulfilled by a loop timer; canceling it stops the timer.</summary>
internal sealed class SleepPromise : Promise<Unit>
{
    internal static readonly Action<object?> Fire = static state => ((SleepPromise)state!).TryFulfill(default, PromiseRuntime.Current);

    internal SleepPromise()
    {
        _cancelable = true;
    }

    internal LoopTimer? Timer { get; set; }

    internal override void OnCanceledBySearch() => Timer?.Cancel();
}
