namespace Bridge.Promises;

/// <summary>
/// List operations over promise-returning functions (Lwt <c>Lwt_list</c>). <c>S</c> variants are sequential (the
/// function is applied to the next element after the previous promise fulfils); <c>P</c> variants apply the function
/// to every element at once, in order, during the call. Every function is applied through
/// <see cref="Promise.Apply{T}"/>, so a synchronous throw becomes a rejection, never an exception out of the call.
/// </summary>
public static class PromiseList
{
    /// <summary>Sequential iteration; stops at the first rejection (Lwt <c>Lwt_list.iter_s</c>).</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static Promise<Unit> IterS<T>(Func<T, Promise<Unit>> f, IEnumerable<T> items)
    {
        ArgumentNullException.ThrowIfNull(f);
        return IteriS((_, x) => f(x), items);
    }

    /// <summary>Sequential iteration with the index (Lwt <c>Lwt_list.iteri_s</c>).</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static Promise<Unit> IteriS<T>(Func<int, T, Promise<Unit>> f, IEnumerable<T> items)
    {
        ArgumentNullException.ThrowIfNull(f);
        var list = ToList(items);
        Promise<Unit> Loop(int i) => i >= list.Count ? Promise.Unit : Promise.Apply(() => f(i, list[i])).Bind(_ => Loop(i + 1));
        return Loop(0);
    }

    /// <summary>Parallel iteration; waits for all, rejections as <see cref="Promise.Join(IEnumerable{Promise{Unit}})"/> (Lwt <c>Lwt_list.iter_p</c>).</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static Promise<Unit> IterP<T>(Func<T, Promise<Unit>> f, IEnumerable<T> items)
    {
        ArgumentNullException.ThrowIfNull(f);
        return IteriP((_, x) => f(x), items);
    }

    /// <summary>Parallel iteration with the index (Lwt <c>Lwt_list.iteri_p</c>).</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static Promise<Unit> IteriP<T>(Func<int, T, Promise<Unit>> f, IEnumerable<T> items)
    {
        ArgumentNullException.ThrowIfNull(f);
        var list = ToList(items);
        var started = new Promise<Unit>[list.Count];
        for (int i = 0; i < list.Count; i++)
        {
            int k = i;
            started[i] = Promise.Apply(() => f(k, list[k]));
        }

        return Promise.Join(started);
    }

    /// <summary>Sequential map, results in order (Lwt <c>Lwt_list.map_s</c>).</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static Promise<IReadOnlyList<TResult>> MapS<T, TResult>(Func<T, Promise<TResult>> f, IEnumerable<T> items)
    {
        ArgumentNullException.ThrowIfNull(f);
        return MapiS((_, x) => f(x), items);
    }

    /// <summary>Sequential map with the index (Lwt <c>Lwt_list.mapi_s</c>).</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static Promise<IReadOnlyList<TResult>> MapiS<T, TResult>(Func<int, T, Promise<TResult>> f, IEnumerable<T> items)
    {
        ArgumentNullException.ThrowIfNull(f);
        var list = ToList(items);
        var results = new TResult[list.Count];
        Promise<IReadOnlyList<TResult>> Loop(int i) => i >= list.Count
            ? Promise.FromResult<IReadOnlyList<TResult>>(results)
            : Promise.Apply(() => f(i, list[i])).Bind(v =>
            {
                results[i] = v;
                return Loop(i + 1);
            });
        return Loop(0);
    }

    /// <summary>
    /// Parallel map, results in input order (Lwt <c>Lwt_list.map_p</c>). Results are collected from the last element
    /// backwards, so a rejection is reported as soon as the collector reaches it.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static Promise<IReadOnlyList<TResult>> MapP<T, TResult>(Func<T, Promise<TResult>> f, IEnumerable<T> items)
    {
        ArgumentNullException.ThrowIfNull(f);
        return MapiP((_, x) => f(x), items);
    }

    /// <summary>Parallel map with the index (Lwt <c>Lwt_list.mapi_p</c>).</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static Promise<IReadOnlyList<TResult>> MapiP<T, TResult>(Func<int, T, Promise<TResult>> f, IEnumerable<T> items)
    {
        ArgumentNullException.ThrowIfNull(f);
        var list = ToList(items);
        var started = new Promise<TResult>[list.Count];
        for (int i = 0; i < list.Count; i++)
        {
            int k = i;
            started[i] = Promise.Apply(() => f(k, list[k]));
        }

        var results = new TResult[list.Count];
        Promise<IReadOnlyList<TResult>> Collect(int i) => i < 0
            ? Promise.FromResult<IReadOnlyList<TResult>>(results)
            : started[i].Bind(v =>
            {
                results[i] = v;
                return Collect(i - 1);
            });
        return Collect(list.Count - 1);
    }

    /// <summary>Sequential filter, order kept (Lwt <c>Lwt_list.filter_s</c>).</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static Promise<IReadOnlyList<T>> FilterS<T>(Func<T, Promise<bool>> predicate, IEnumerable<T> items)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return FilterMapS(x => predicate(x).Map(keep => (keep, x)), items);
    }

    /// <summary>Parallel filter, order kept (Lwt <c>Lwt_list.filter_p</c>).</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static Promise<IReadOnlyList<T>> FilterP<T>(Func<T, Promise<bool>> predicate, IEnumerable<T> items)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return FilterMapP(x => predicate(x).Map(keep => (keep, x)), items);
    }

    /// <summary>Sequential filter-map: keeps the values of <c>(true, v)</c> results (Lwt <c>Lwt_list.filter_map_s</c>).</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static Promise<IReadOnlyList<TResult>> FilterMapS<T, TResult>(Func<T, Promise<(bool HasValue, TResult Value)>> f, IEnumerable<T> items)
    {
        ArgumentNullException.ThrowIfNull(f);
        return MapS(f, items).Map(Keep);
    }

    /// <summary>Parallel filter-map (Lwt <c>Lwt_list.filter_map_p</c>).</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static Promise<IReadOnlyList<TResult>> FilterMapP<T, TResult>(Func<T, Promise<(bool HasValue, TResult Value)>> f, IEnumerable<T> items)
    {
        ArgumentNullException.ThrowIfNull(f);
        return MapP(f, items).Map(Keep);
    }

    /// <summary>Sequential left fold (Lwt <c>Lwt_list.fold_left_s</c>).</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static Promise<TAcc> FoldLeftS<T, TAcc>(Func<TAcc, T, Promise<TAcc>> f, TAcc seed, IEnumerable<T> items)
    {
        ArgumentNullException.ThrowIfNull(f);
        var list = ToList(items);
        Promise<TAcc> Loop(int i, TAcc acc) => i >= list.Count ? Promise.FromResult(acc) : Promise.Apply(() => f(acc, list[i])).Bind(a => Loop(i + 1, a));
        return Loop(0, seed);
    }

    /// <summary>Sequential right fold, starting from the last element (Lwt <c>Lwt_list.fold_right_s</c>).</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static Promise<TAcc> FoldRightS<T, TAcc>(Func<T, TAcc, Promise<TAcc>> f, IEnumerable<T> items, TAcc seed)
    {
        ArgumentNullException.ThrowIfNull(f);
        var list = ToList(items);
        Promise<TAcc> Loop(int i, TAcc acc) => i < 0 ? Promise.FromResult(acc) : Promise.Apply(() => f(list[i], acc)).Bind(a => Loop(i - 1, a));
        return Loop(list.Count - 1, seed);
    }

    /// <summary>Sequential "all satisfy", stopping at the first false (Lwt <c>Lwt_list.for_all_s</c>).</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static Promise<bool> ForAllS<T>(Func<T, Promise<bool>> predicate, IEnumerable<T> items)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var list = ToList(items);
        Promise<bool> Loop(int i) => i >= list.Count ? Promise.FromResult(true) : Promise.Apply(() => predicate(list[i])).Bind(ok => ok ? Loop(i + 1) : Promise.FromResult(false));
        return Loop(0);
    }

    /// <summary>Parallel "all satisfy" (no short-circuit) (Lwt <c>Lwt_list.for_all_p</c>).</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static Promise<bool> ForAllP<T>(Func<T, Promise<bool>> predicate, IEnumerable<T> items)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return MapP(predicate, items).Map(static r => r.All(x => x));
    }

    /// <summary>Sequential "some satisfies", stopping at the first true (Lwt <c>Lwt_list.exists_s</c>).</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static Promise<bool> ExistsS<T>(Func<T, Promise<bool>> predicate, IEnumerable<T> items)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var list = ToList(items);
        Promise<bool> Loop(int i) => i >= list.Count ? Promise.FromResult(false) : Promise.Apply(() => predicate(list[i])).Bind(ok => ok ? Promise.FromResult(true) : Loop(i + 1));
        return Loop(0);
    }

    /// <summary>Parallel "some satisfies" (no short-circuit) (Lwt <c>Lwt_list.exists_p</c>).</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static Promise<bool> ExistsP<T>(Func<T, Promise<bool>> predicate, IEnumerable<T> items)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return MapP(predicate, items).Map(static r => r.Any(x => x));
    }

    /// <summary>
    /// The first element satisfying <paramref name="predicate"/>, tested sequentially; rejected with
    /// <see cref="InvalidOperationException"/> when none does (Lwt <c>Lwt_list.find_s</c>, <c>Not_found</c>).
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static Promise<T> FindS<T>(Func<T, Promise<bool>> predicate, IEnumerable<T> items)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var list = ToList(items);
        Promise<T> Loop(int i) => i >= list.Count
            ? Promise.FromException<T>(new InvalidOperationException("No element satisfies the predicate (Lwt Not_found)."))
            : Promise.Apply(() => predicate(list[i])).Bind(ok => ok ? Promise.FromResult(list[i]) : Loop(i + 1));
        return Loop(0);
    }

    /// <summary>Sequential partition into (satisfying, others), order kept (Lwt <c>Lwt_list.partition_s</c>).</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static Promise<(IReadOnlyList<T> Satisfying, IReadOnlyList<T> Others)> PartitionS<T>(Func<T, Promise<bool>> predicate, IEnumerable<T> items)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var list = ToList(items);
        return MapS(predicate, list).Map(flags => Split(list, flags));
    }

    /// <summary>Parallel partition (Lwt <c>Lwt_list.partition_p</c>).</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static Promise<(IReadOnlyList<T> Satisfying, IReadOnlyList<T> Others)> PartitionP<T>(Func<T, Promise<bool>> predicate, IEnumerable<T> items)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var list = ToList(items);
        return MapP(predicate, list).Map(flags => Split(list, flags));
    }

    private static (IReadOnlyList<T>, IReadOnlyList<T>) Split<T>(IReadOnlyList<T> list, IReadOnlyList<bool> flags)
    {
        var yes = new List<T>();
        var no = new List<T>();
        for (int i = 0; i < list.Count; i++)
        {
            (flags[i] ? yes : no).Add(list[i]);
        }

        return (yes, no);
    }

    private static IReadOnlyList<TResult> Keep<TResult>(IReadOnlyList<(bool HasValue, TResult Value)> results)
    {
        var kept = new List<TResult>();
        foreach (var (has, v) in results)
        {
            if (has)
            {
                kept.Add(v);
            }
        }

        return kept;
    }

    private static IReadOnlyList<T> ToList<T>(IEnumerable<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        return items as IReadOnlyList<T> ?? items.ToList();
    }
}
