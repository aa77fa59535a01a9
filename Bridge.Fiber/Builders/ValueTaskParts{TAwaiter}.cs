using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;

namespace Bridge.Fibers;

/// <summary>
/// What <see cref="ValueTaskParts"/> does for the non-generic ValueTask, for one awaiter type: set up on first use,
/// and only for <c>ValueTaskAwaiter&lt;T&gt;</c> (awaiting a <see cref="FiberPromise{T}"/> or a typed method); null
/// for every other awaiter, which then takes the standard path.
/// </summary>
/// <typeparam name="TAwaiter">The awaiter type a <see cref="FiberMethodBuilder"/> method suspends on.</typeparam>
internal abstract class ValueTaskParts<TAwaiter>
{
    public static readonly ValueTaskParts<TAwaiter>? Reader = Create();

    /// <summary>Hands <paramref name="box"/> to the awaited ValueTask's source; false if it is not a source (a Task, say).</summary>
    public abstract bool TryOnCompleted(ref TAwaiter awaiter, FiberMethodBox box);

    /// <summary>Whether this reader's field accessors work on this runtime (see <see cref="ValueTaskParts.Available"/>).</summary>
    protected abstract bool Probe();

    private static ValueTaskParts<TAwaiter>? Create()
    {
        var type = typeof(TAwaiter);
        if (!type.IsGenericType || type.GetGenericTypeDefinition() != typeof(ValueTaskAwaiter<>))
        {
            return null;
        }

        try
        {
            var reader = (ValueTaskParts<TAwaiter>?)Activator.CreateInstance(
                typeof(ValueTaskAwaiterParts<>).MakeGenericType(type.GetGenericArguments()));
            return reader?.Probe() == true ? reader : null;
        }
#pragma warning disable CA1031 // where generic instantiation at run time is unavailable, the standard path still works
        catch (Exception)
#pragma warning restore CA1031
        {
            return null; // as for a runtime without the BCL fields the reader uses
        }
    }
}

/// <summary>The reader for <c>ValueTaskAwaiter&lt;T&gt;</c>.</summary>
/// <typeparam name="T">The awaited result type.</typeparam>
internal sealed class ValueTaskAwaiterParts<T> : ValueTaskParts<ValueTaskAwaiter<T>>
{
    public override bool TryOnCompleted(ref ValueTaskAwaiter<T> awaiter, FiberMethodBox box)
    {
        ref var task = ref Of(ref awaiter);
        if (Source(ref task) is not IValueTaskSource<T> source)
        {
            return false;
        }

        var flags = ContinueOnCapturedContext(ref task)
            ? ValueTaskSourceOnCompletedFlags.UseSchedulingContext
            : ValueTaskSourceOnCompletedFlags.None;
        source.OnCompleted(FiberMethodBox.ResumeInvoker, box, Token(ref task), flags);
        return true;
    }

    protected override bool Probe()
    {
        var source = new FailedMethodBox<T>(new InvalidOperationException("probe"));
        var awaiter = new ValueTask<T>(source, 7).GetAwaiter();
        ref var task = ref Of(ref awaiter);
        return ReferenceEquals(Source(ref task), source) && Token(ref task) == 7 && ContinueOnCapturedContext(ref task);
    }

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_value")]
    private static extern ref ValueTask<T> Of(ref ValueTaskAwaiter<T> awaiter);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_obj")]
    private static extern ref object? Source(ref ValueTask<T> task);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_token")]
    private static extern ref short Token(ref ValueTask<T> task);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_continueOnCapturedContext")]
    private static extern ref bool ContinueOnCapturedContext(ref ValueTask<T> task);
}
