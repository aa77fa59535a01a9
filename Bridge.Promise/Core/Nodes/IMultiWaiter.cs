namespace Bridge.Promises;

/// <summary>A waiter shared by several inputs (join/choose/pick families, <c>protected</c>).</summary>
internal interface IMultiWaiter<T>
{
    /// <summary>True once the waiter has fired and its remaining entries are garbage (Lwt's cleared removable cell).</summary>
    bool Done { get; }

    void OnInputResolved(Promise<T> source, int index, PromiseRuntime rt);
}
