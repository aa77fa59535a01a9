namespace Bridge.Fibers;

/// <summary>
/// A Bridge awaiter that can park a <see cref="FiberMethodBuilder"/> method's box on its fiber directly, instead of
/// the <see cref="Action"/> that <c>UnsafeOnCompleted</c> takes (one delegate per method, and a call through it per resume).
/// </summary>
internal interface IFiberAwaiter
{
    /// <summary>Parks the fiber with <paramref name="box"/> as its continuation (<c>UnsafeOnCompleted</c> without the delegate).</summary>
    void ParkMethod(FiberMethodBox box);
}
