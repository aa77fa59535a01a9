namespace Bridge.Fibers;

/// <summary>
/// Raised inside a fiber whose cancellation context has been cancelled (Eio's <c>Cancelled</c>). It carries the
/// <see cref="Reason"/> — the exception that caused the cancellation — for debugging only: handlers should treat every
/// <see cref="CancelledException"/> alike and let it propagate. A <see cref="Switch"/> never reports it when a real error exists.
/// </summary>
public sealed class CancelledException : OperationCanceledException
{
    /// <summary>Creates the exception for a cancellation caused by <paramref name="reason"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="reason"/> is null.</exception>
    public CancelledException(Exception reason)
        : base("Cancelled: " + Describe(reason ?? throw new ArgumentNullException(nameof(reason))))
    {
        Reason = reason;
    }

    /// <summary>The exception that cancelled the context (Eio: the payload of <c>Cancelled ex</c>).</summary>
    public Exception Reason { get; }

    private static string Describe(Exception reason) => reason is CancelledException c
        ? c.Message
        : $"{reason.GetType().Name}: {reason.Message}";
}
