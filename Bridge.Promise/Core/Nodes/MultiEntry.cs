namespace Bridge.Promises;

/// <summary>A waiter shared by several inputs (join/choose/pick families, <c>protected</c>).</summary>
internal interface IMultiWaiter<T>
{
    /// <summary>True once the waiter has fired and its remaining entries are garbage (Lwt's cleared removable cell).</summary>
    bool Done { get; }

    void OnInputResolved(Promise<T> source, int index, PromiseRuntime rt);
}

/// <summary>One input's callback node pointing at a shared waiter.</summary>
internal sealed class MultiEntry<T>(IMultiWaiter<T> waiter, int index) : ICallback<T>
{
    public ICallback<T>? Next { get; set; }

    public bool IsDead => waiter.Done;

    public void Invoke(Promise<T> source, PromiseRuntime rt)
    {
        if (!waiter.Done)
        {
            waiter.OnInputResolved(source, index, rt);
        }
    }
}
