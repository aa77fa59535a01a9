namespace Bridge.Promises;

/// <summary>One input's callback node pointing at a shared waiter that needs no input index (32 B).</summary>
internal sealed class MultiEntry<T>(IMultiWaiter<T> waiter) : ICallback<T>
{
    public ICallback<T>? Next { get; set; }

    public bool IsDead => waiter.Done;

    public void Invoke(Promise<T> source, PromiseRuntime rt)
    {
        if (!waiter.Done)
        {
            waiter.OnInputResolved(source, 0, rt);
        }
    }
}
