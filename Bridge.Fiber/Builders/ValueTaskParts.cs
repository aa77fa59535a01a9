using System.Runtime.CompilerServices;

namespace Bridge.Fibers;

/// <summary>
/// Reads what a non-generic <see cref="ValueTask"/> wraps, so that <see cref="FiberMethodBuilder"/> can hand a Bridge
/// source its box directly (what the standard builders do through an internal interface of the BCL). The fields are
/// the BCL's private ones: <see cref="Available"/> checks once that they are still there and mean what they meant, and
/// when they are not, every caller takes the standard path (slower, never wrong).
/// </summary>
internal static class ValueTaskParts
{
    /// <summary>Whether the accessors below work on this runtime (a constant once the JIT has seen it).</summary>
    public static readonly bool Available = Probe();

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_value")]
    public static extern ref ValueTask Of(ref ValueTaskAwaiter awaiter);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_obj")]
    public static extern ref object? Source(ref ValueTask task);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_token")]
    public static extern ref short Token(ref ValueTask task);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_continueOnCapturedContext")]
    public static extern ref bool ContinueOnCapturedContext(ref ValueTask task);

    private static bool Probe()
    {
        try
        {
            var source = new FailedMethodBox<VoidResult>(new InvalidOperationException("probe"));
            var awaiter = new ValueTask(source, 7).GetAwaiter();
            ref var task = ref Of(ref awaiter);
            return ReferenceEquals(Source(ref task), source) && Token(ref task) == 7 && ContinueOnCapturedContext(ref task);
        }
#pragma warning disable CA1031 // a runtime without these fields: the standard path is used instead
        catch (Exception)
#pragma warning restore CA1031
        {
            return false;
        }
    }
}
