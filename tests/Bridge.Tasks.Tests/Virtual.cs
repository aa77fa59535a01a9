using Bridge.Runtimes;

namespace Bridge.Tasks.Tests;

internal static class Virtual
{
    /// <summary>Options for a run on virtual time with strict deadlock detection.</summary>
    public static EventLoopOptions Options(string name = "test") => new() { VirtualTime = true, Name = name };

    /// <summary>The running loop's clock.</summary>
    public static TimeProvider Clock => EventLoop.Current!.Time;
}
