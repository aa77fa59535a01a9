using Bridge.Runtimes;

namespace Bridge.Tasks;

/// <summary>Task-side helpers on <see cref="EventLoop"/>.</summary>
public static class EventLoopTaskExtensions
{
    /// <summary>
    /// <c>await loop.SwitchTo()</c> moves the rest of the async method onto <paramref name="loop"/>'s thread
    /// (vs-threading <c>JoinableTaskFactory.SwitchToMainThreadAsync</c>; AsyncEx has no equivalent).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="loop"/> is null.</exception>
    public static LoopSwitchAwaitable SwitchTo(this EventLoop loop)
    {
        ArgumentNullException.ThrowIfNull(loop);
        return new LoopSwitchAwaitable(loop);
    }
}
