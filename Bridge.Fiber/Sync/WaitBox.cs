namespace Bridge.Fibers;

/// <summary>
/// The value travelling with a wait (the item a blocked stream writer offers, the item handed to a woken reader), kept
/// in a holder the fiber reuses from one wait to the next, so that handing over a value type boxes nothing in steady
/// state. Only the fiber itself, or whoever has just taken it out of a wait queue under the primitive's lock, touches it.
/// </summary>
/// <typeparam name="T">The value type.</typeparam>
internal sealed class WaitBox<T>
{
    private T _value = default!;

    public static void Put(FiberContext fiber, T value)
    {
        if (fiber.WaitSlot is WaitBox<T> box)
        {
            box._value = value;
        }
        else
        {
            fiber.WaitSlot = new WaitBox<T> { _value = value };
        }
    }

    /// <summary>Takes the value out, leaving nothing referenced.</summary>
    public static T Take(FiberContext fiber)
    {
        var box = (WaitBox<T>)fiber.WaitSlot!;
        var value = box._value;
        box._value = default!;
        return value;
    }

    /// <summary>Drops the value (a cancelled wait transfers nothing).</summary>
    public static void Clear(FiberContext fiber)
    {
        if (fiber.WaitSlot is WaitBox<T> box)
        {
            box._value = default!;
        }
    }
}
