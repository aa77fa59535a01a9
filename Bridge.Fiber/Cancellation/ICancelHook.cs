namespace Bridge.Fibers;

/// <summary>
/// What a suspended fiber registers so that cancellation can take it out of whatever it waits in (Eio's per-fiber
/// <c>cancel_fn</c>). Implemented by the waiter queues of every blocking primitive, so no closure is allocated per wait.
/// </summary>
internal interface ICancelHook
{
    /// <summary>
    /// Cancel <paramref name="fiber"/>'s wait. Must not switch fibers: it removes the waiter
    /// and, if it was still waiting, resumes it with <paramref name="error"/>. Called at most once per registration.
    /// </summary>
    void Cancel(FiberContext fiber, CancelledException error);
}
