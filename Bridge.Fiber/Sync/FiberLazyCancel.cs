namespace Bridge.Fibers;

/// <summary>What a <see cref="FiberLazy{T}"/> does when the fiber forcing it is cancelled (Eio <c>Lazy.from_fun ~cancel</c>).</summary>
public enum FiberLazyCancel
{
    /// <summary>Forget the attempt: the next fiber to force it runs the function again (Eio <c>`Restart</c>).</summary>
    Restart,

    /// <summary>Cache the <see cref="CancelledException"/> for everyone (Eio <c>`Record</c>).</summary>
    Record,

    /// <summary>Run the function protected from cancellation (Eio <c>`Protect</c>).</summary>
    Protect,
}
