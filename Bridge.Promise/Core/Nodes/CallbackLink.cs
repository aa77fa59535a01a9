namespace Bridge.Promises;

/// <summary>Marks a callback node that has no link field of its own: it can only sit at the tail of a list.</summary>
internal interface ITailOnlyCallback
{
}

/// <summary>Carries a tail-only node (<see cref="ITailOnlyCallback"/>) at a position that needs a next link.</summary>
internal sealed class CallbackLink<T>(ICallback<T> inner, ICallback<T>? next) : ICallback<T>
{
    internal readonly ICallback<T> Inner = inner;

    public ICallback<T>? Next { get; set; } = next;

    public void Invoke(Promise<T> source, PromiseRuntime rt) => Inner.Invoke(source, rt);
}
