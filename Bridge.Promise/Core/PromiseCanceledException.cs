namespace Bridge.Promises;

/// <summary>
/// The rejection used by promise cancellation (Lwt's <c>Canceled</c>). A promise rejected with this exception,
/// by whatever route, runs its <see cref="Promise{T}.OnCancel"/> callbacks, and later resolution attempts on it are
/// silently ignored.
/// </summary>
public class PromiseCanceledException : OperationCanceledException
{
    /// <summary>Creates the exception with the default message (Lwt <c>Canceled</c>).</summary>
    public PromiseCanceledException()
        : base("The promise was canceled.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public PromiseCanceledException(string? message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public PromiseCanceledException(string? message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
