namespace Bridge.Promises;

/// <summary>
/// An <c>on_success</c> callback (a smaller node than <see cref="ActionNode{T}"/> for the common case). It has no link
/// field: it is the whole list of a promise with no other callbacks, else it is carried by a <see cref="CallbackLink{T}"/>.
/// </summary>
internal sealed class SuccessNode<T>(Action<T> f, StorageMap? storage) : ICallback<T>, ITailOnlyCallback
{
    /// <summary>Always null (see the type remarks).</summary>
    public ICallback<T>? Next
    {
        get => null;
        set
        {
            if (value is not null)
            {
                throw new InvalidOperationException("A success node cannot be linked; wrap it in a CallbackLink.");
            }
        }
    }

    public void Invoke(Promise<T> source, PromiseRuntime rt)
    {
        if (source._state == Promise<T>.StateFulfilled)
        {
            rt.Storage = storage;
            Promise.InvokeGuarded(f, source._value);
        }
    }
}
