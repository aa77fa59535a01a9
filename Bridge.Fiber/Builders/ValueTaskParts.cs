using System.Runtime.CompilerServices;

namespace Bridge.Fibers;

/// <summary>
/// Reads what a non-generic <see cref="ValueTask"/> wraps, so that <see cref="FiberMethodBuilder"/> can hand a Bridge
/// source its box directly (what the standard builders do through an internal interface of the BCL).
/// </summary>
internal static class ValueTaskParts
{
    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_value")]
    public static extern ref ValueTask Of(ref ValueTaskAwaiter awaiter);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_obj")]
    public static extern ref object? Source(ref ValueTask task);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_token")]
    public static extern ref short Token(ref ValueTask task);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_continueOnCapturedContext")]
    public static extern ref bool ContinueOnCapturedContext(ref ValueTask task);
}
