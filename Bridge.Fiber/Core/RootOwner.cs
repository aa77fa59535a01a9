namespace Bridge.Fibers;

/// <summary>The owner of a run's main fiber: records when and how it ended.</summary>
internal sealed class RootOwner : IFiberOwner
{
    public bool Finished { get; private set; }

    public Exception? Error { get; private set; }

    public void OnFiberFinished(FiberContext fiber, Exception? error)
    {
        Finished = true;
        Error = error;
    }
}
