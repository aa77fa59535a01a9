namespace Bridge.Promises;

/// <summary>A callback list whose run was deferred (by <c>wakeup_later</c> or by the depth budget).</summary>
internal abstract class Deferred
{
    /// <summary>Runs the list; the caller has already accounted for the batch.</summary>
    internal abstract void RunCallbacksOnly();
}
