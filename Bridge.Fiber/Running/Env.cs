using Bridge.Runtimes;

namespace Bridge.Fibers;

/// <summary>
/// What a fiber program gets from its runner (Eio's <c>Stdenv</c>): the clock, the domain manager and the standard streams.
/// </summary>
public sealed class Env
{
    internal Env(EventLoop loop, DomainManager domains)
    {
        Clock = loop.Time;
        DomainManager = domains;
    }

    /// <summary>The run's clock (Eio <c>Stdenv.clock</c>): a <see cref="VirtualTimeProvider"/> under <see cref="Fiber.RunMock(Func{Env, ValueTask}, FiberRunOptions?)"/>.</summary>
    public TimeProvider Clock { get; }

    /// <summary>Runs functions on other threads, each with its own loop (Eio <c>Stdenv.domain_mgr</c>).</summary>
    public DomainManager DomainManager { get; }

    /// <summary>Standard output (Eio <c>Stdenv.stdout</c>).</summary>
    public TextWriter Stdout => Console.Out;

    /// <summary>Standard error (Eio <c>Stdenv.stderr</c>).</summary>
    public TextWriter Stderr => Console.Error;
}
