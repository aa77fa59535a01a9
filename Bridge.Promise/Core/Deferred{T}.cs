namespace Bridge.Promises;

/// <summary>The callbacks of one resolved promise, waiting to run.</summary>
internal sealed class Deferred<T>(Promise<T> promise, ICallback<T> head) : Deferred
{
    internal override void RunCallbacksOnly() => promise.InvokeList(head, PromiseRuntime.Current);
}
