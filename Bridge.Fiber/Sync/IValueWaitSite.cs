namespace Bridge.Fibers;

/// <summary>A wait that delivers a value to the woken fiber (stream take): the site decides how it travels.</summary>
internal interface IValueWaitSite<T> : IWaitSite
{
    /// <summary>Called by the woken fiber's awaiter: the value handed to it.</summary>
    T TakeValue(FiberContext fiber);
}
