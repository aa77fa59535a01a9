namespace Bridge.Fibers;

/// <summary>Settings for <see cref="Fiber.Run(Func{Env, ValueTask}, FiberRunOptions?)"/> and <see cref="Fiber.RunMock(Func{Env, ValueTask}, FiberRunOptions?)"/>.</summary>
public sealed class FiberRunOptions
{
    /// <summary>
    /// Where <see cref="Trace.Line"/> writes, one call per line, without Eio's "+" prefix. Default: standard error,
    /// prefixed with "+" as Eio's <c>traceln</c> prints. Calls are serialised across threads.
    /// </summary>
    public Action<string>? Trace { get; set; }

    /// <summary>
    /// The virtual clock for <see cref="Fiber.RunMock(Func{Env, ValueTask}, FiberRunOptions?)"/> (a new one at time 0 by default).
    /// Ignored by <see cref="Fiber.Run(Func{Env, ValueTask}, FiberRunOptions?)"/>, which uses the system clock.
    /// </summary>
    public Bridge.Runtimes.VirtualTimeProvider? Clock { get; set; }

    /// <summary>A name for the loop, used in diagnostics.</summary>
    public string? Name { get; set; }
}
