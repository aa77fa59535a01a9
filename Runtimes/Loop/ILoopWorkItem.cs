namespace Bridge.Runtimes;

/// <summary>
/// An object the loop can run without a delegate: the loop-side counterpart of
/// <see cref="System.Threading.IThreadPoolWorkItem"/>. Fibers and promise nodes implement it so that
/// resuming them allocates nothing.
/// </summary>
public interface ILoopWorkItem
{
    /// <summary>Runs the item on the loop thread. Called once per enqueue.</summary>
    void Execute();
}
