namespace Bridge.Fibers;

/// <summary>
/// Eio's <c>Exn.Multiple</c>: several real failures of one switch or combinator, first failure first. Catch it as
/// <see cref="AggregateException"/>; nested ones are flattened, as Eio flattens <c>Multiple</c>.
/// </summary>
internal sealed class MultipleExceptions(IEnumerable<Exception> errors)
    : AggregateException("Multiple exceptions", errors.SelectMany(e => e is MultipleExceptions m ? m.InnerExceptions : [e]))
{
    /// <summary>Eio's <c>Exn.combine</c>: the same exception stays itself, a cancellation yields to a real error.</summary>
    public static Exception Combine(Exception first, Exception second)
    {
        if (ReferenceEquals(first, second) || second is CancelledException || (Time.IsTimeout(first) && Time.IsTimeout(second)))
        {
            return first;
        }

        return first is CancelledException ? second : new MultipleExceptions([first, second]);
    }
}
