namespace Bridge.Fibers;

/// <summary>Who is told when a fiber's function returns or throws: its switch, a fork-promise, or a run's root.</summary>
internal interface IFiberOwner
{
    /// <summary>Called once on the loop thread when <paramref name="fiber"/> has finished; <paramref name="error"/> is its exception, if any.</summary>
    void OnFiberFinished(FiberContext fiber, Exception? error);
}

/// <summary>An owner that names its fibers in diagnostics (deadlock reports, ToString).</summary>
internal interface INamedFiberOwner : IFiberOwner
{
    /// <summary>The name shown for the owned fibers.</summary>
    string FiberName { get; }
}
