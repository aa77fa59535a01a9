namespace Bridge.Runtimes;

/// <summary>
/// Thrown by <see cref="EventLoop.RunUntil"/> (and the runners built on it) when the loop can prove that the
/// work it waits for can never finish: nothing is queued, no timer is pending and no external operation is
/// tracked. Eio_mock's <c>Deadlock_detected</c>; vs-threading's answer to a main-thread deadlock is a hang,
/// Bridge's is this exception.
/// </summary>
public sealed class DeadlockException : InvalidOperationException
{
    /// <summary>Creates the exception with the list of what is still waiting.</summary>
    public DeadlockException(string loopName, IReadOnlyList<string> waiting)
        : base(BuildMessage(loopName, waiting))
    {
        Waiting = waiting;
    }

    /// <summary>Descriptions of what is still waiting (fiber names, promise labels, the awaited task), as far as the loop knows.</summary>
    public IReadOnlyList<string> Waiting { get; }

    private static string BuildMessage(string loopName, IReadOnlyList<string> waiting)
    {
        var text = new System.Text.StringBuilder();
        text.Append("Deadlock detected on event loop '").Append(loopName)
            .Append("': nothing is queued, no timer is pending and no external operation is tracked, but the run has not finished.");
        if (waiting.Count == 0)
        {
            text.Append(" Nothing registered a description of what it waits for.");
        }
        else
        {
            text.Append(" Still waiting:");
            foreach (var line in waiting)
            {
                text.Append("\n - ").Append(line);
            }
        }

        text.Append("\nIf the work is completed from another thread, a socket or a system timer, wrap it in EventLoop.TrackExternalOperation().");
        return text.ToString();
    }
}
