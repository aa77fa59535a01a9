namespace Bridge.Promises;

/// <summary>The shared cell behind <c>protected</c>, <c>no_cancel</c> and <c>wrap_in_cancelable</c>.</summary>
internal sealed class MirrorWaiter<T>(bool cancelable, Promise<T>? cancelSource) : IMultiWaiter<T>
{
    internal Promise<T> Result { get; } = new() { _cancelable = cancelable };

    public bool Done { get; private set; }

    public void OnInputResolved(Promise<T> source, int index, PromiseRuntime rt)
    {
        Done = true;
        Result.TryCompleteFrom(source, rt);
    }

    internal void Detach() => Done = true;

    internal void CancelSource()
    {
        Done = false;
        cancelSource?.Cancel();
    }
}
