namespace Bridge.Fibers;

public static partial class Fiber
{
    /// <summary>The current fiber's binding for <paramref name="key"/>, or false (Eio <c>Fiber.get</c>).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    /// <exception cref="InvalidOperationException">Not called from a fiber.</exception>
    public static bool TryGet<T>(FiberKey<T> key, out T value)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (FiberContext.Require("Fiber.Get").Bindings.TryGet(key, out var boxed))
        {
            value = (T)boxed!;
            return true;
        }

        value = default!;
        return false;
    }

    /// <summary>The current fiber's binding for <paramref name="key"/>, or <c>default</c> when unbound (Eio <c>Fiber.get</c>).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    /// <exception cref="InvalidOperationException">Not called from a fiber.</exception>
    public static T? Get<T>(FiberKey<T> key) => TryGet(key, out var value) ? value : default;

    /// <summary>
    /// Runs <paramref name="body"/> with <paramref name="key"/> bound to <paramref name="value"/> (Eio
    /// <c>Fiber.with_binding</c>); the previous binding is restored afterwards. Fibers forked inside inherit it.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> or <paramref name="body"/> is null.</exception>
    /// <exception cref="InvalidOperationException">Not called from a fiber.</exception>
    public static async ValueTask WithBinding<T>(FiberKey<T> key, T value, Func<ValueTask> body)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(body);
        var fiber = FiberContext.Require("Fiber.WithBinding");
        var saved = fiber.Bindings;
        fiber.Bindings = saved.With(key, value);
        try
        {
            await body().ConfigureAwait(true);
        }
        finally
        {
            fiber.Bindings = saved;
        }
    }

    /// <summary>Runs <paramref name="body"/> with <paramref name="key"/> unbound (Eio <c>Fiber.without_binding</c>).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> or <paramref name="body"/> is null.</exception>
    /// <exception cref="InvalidOperationException">Not called from a fiber.</exception>
    public static async ValueTask WithoutBinding<T>(FiberKey<T> key, Func<ValueTask> body)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(body);
        var fiber = FiberContext.Require("Fiber.WithoutBinding");
        var saved = fiber.Bindings;
        fiber.Bindings = saved.Without(key);
        try
        {
            await body().ConfigureAwait(true);
        }
        finally
        {
            fiber.Bindings = saved;
        }
    }
}
