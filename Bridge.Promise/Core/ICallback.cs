namespace Bridge.Promises;

/// <summary>
/// A node in a pending promise's callback list. Lists are intrusive singly linked (newest first, so iteration is
/// Lwt's last-registered-first order); a node belongs to one list only.
/// </summary>
internal interface ICallback<T>
{
    /// <summary>The next (older) node.</summary>
    ICallback<T>? Next { get; set; }

    /// <summary>Runs the callback for the now-resolved <paramref name="source"/>. Never throws for user errors.</summary>
    void Invoke(Promise<T> source, PromiseRuntime rt);
}
