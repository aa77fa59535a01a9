namespace Bridge.Promises;

/// <summary>Type-erased view of a promise for the cancellation search.</summary>
internal interface IPromiseNode
{
    /// <summary>One step of the backward search (Lwt's <c>cancel_and_collect_callbacks</c>).</summary>
    void CancelStep(CancelSearch search);

    /// <summary>Quick check: false when a cancel of this promise can have no effect (resolved, or no edge).</summary>
    bool NeedsCancelSearch();

    /// <summary>Runs the callbacks collected for this promise after it was marked canceled.</summary>
    void RunCollected(object head);
}
