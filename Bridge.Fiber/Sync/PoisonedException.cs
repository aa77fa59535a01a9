namespace Bridge.Fibers;

/// <summary>
/// Thrown by a <see cref="FiberMutex"/> that a critical section left in an unknown state (Eio's <c>Mutex.Poisoned</c>):
/// <see cref="Exception.InnerException"/> is the failure that poisoned it.
/// </summary>
public sealed class PoisonedException : Exception
{
    /// <summary>Creates the exception for a mutex poisoned by <paramref name="cause"/>.</summary>
    public PoisonedException(Exception cause)
        : base($"Mutex poisoned by {cause?.GetType().Name}: {cause?.Message}", cause)
    {
    }
}
