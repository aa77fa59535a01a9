namespace Bridge.Fibers;

/// <summary>
/// The cancellation context created by <see cref="Cancel.Sub(Func{CancelScope, ValueTask})"/> (Eio's <c>Cancel.t</c> as
/// passed to <c>Cancel.sub</c>'s function): cancel it to cancel every fiber inside. Usable only while <c>Sub</c> runs.
/// </summary>
public sealed class CancelScope
{
    internal CancelScope(CancelContext context)
    {
        Context = context;
    }

    /// <summary>True while the scope is being cancelled.</summary>
    public bool IsCancelled => Context.IsCancelling;

    /// <summary>Why the scope is cancelling, or null.</summary>
    public Exception? Reason => Context.Reason;

    internal CancelContext Context { get; }

    /// <summary>
    /// Cancels the scope and its non-protected descendants with <paramref name="reason"/> (Eio <c>Cancel.cancel</c>).
    /// A no-op if already cancelling. Never switches fibers.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="reason"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The scope's <c>Sub</c> has returned, or wrong thread.</exception>
    public void Cancel(Exception reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        if (Context.IsFinished)
        {
            throw new InvalidOperationException("Cancellation context finished");
        }

        Context.Cancel(reason);
    }

    /// <summary>Throws <see cref="CancelledException"/> if cancelling (Eio <c>Cancel.check</c>).</summary>
    /// <exception cref="CancelledException">The scope is cancelling.</exception>
    public void Check() => Context.Check();
}
