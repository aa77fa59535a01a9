namespace Bridge.Promises;

/// <summary>
/// LINQ query support for promises, the C# form of Lwt's <c>let*</c>/<c>let+</c>:
/// <c>from x in p1 from y in p2 select x + y</c>.
/// </summary>
public static class PromiseQueryExtensions
{
    /// <summary>Lwt <c>let+</c> / <c>Lwt.map</c>: the query's <c>select</c>. See <see cref="Promise{T}.Map{TResult}"/>.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static Promise<TResult> Select<T, TResult>(this Promise<T> promise, Func<T, TResult> selector)
    {
        ArgumentNullException.ThrowIfNull(promise);
        return promise.Map(selector);
    }

    /// <summary>Lwt <c>let*</c> / <c>Lwt.bind</c>: a second <c>from</c>. See <see cref="Promise{T}.Bind{TResult}"/>.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static Promise<TResult> SelectMany<T, TResult>(this Promise<T> promise, Func<T, Promise<TResult>> selector)
    {
        ArgumentNullException.ThrowIfNull(promise);
        return promise.Bind(selector);
    }

    /// <summary>
    /// Lwt <c>let* x = p in let+ y = f x in g x y</c>: the form the compiler uses for <c>from x in p from y in f(x) select g(x, y)</c>.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static Promise<TResult> SelectMany<T, TMiddle, TResult>(
        this Promise<T> promise, Func<T, Promise<TMiddle>> selector, Func<T, TMiddle, TResult> resultSelector)
    {
        ArgumentNullException.ThrowIfNull(promise);
        ArgumentNullException.ThrowIfNull(selector);
        ArgumentNullException.ThrowIfNull(resultSelector);
        return promise.Bind(x => (selector(x) ?? throw Promise.NullPromise(nameof(SelectMany))).Map(y => resultSelector(x, y)));
    }
}
